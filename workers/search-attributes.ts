/**
 * A namespace without the money workflows' search attributes fails every workflow task of every money
 * workflow (BadSearchAttributes), forever, with only a WARN in the log. The worker asks the namespace first
 * and refuses to start, in one line naming what is missing and the command that registers it.
 */
import type { NativeConnection } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES, searchAttributeSpecs } from '../lib/definitions/search';

/** The money workflows' search attributes the namespace does not know. */
export async function missingSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(customAttributes ?? {}));
  return SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !known.has(name));
}

/** The line a worker refuses with: what is missing and how to register it. */
export function missingSearchAttributesMessage(namespace: string, missing: string[]): string {
  const specs = searchAttributeSpecs().filter((spec) => missing.includes(spec.split('=')[0]!));
  return (
    `the Temporal namespace "${namespace}" lacks the search attributes ${missing.join(', ')}; register them: ` +
    `for a in ${specs.join(' ')}; do temporal operator search-attribute create -n ${namespace} ` +
    '--name "${a%%=*}" --type "${a#*=}"; done'
  );
}
