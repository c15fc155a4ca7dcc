/** `npm run ops:phone-hash -- <number>...`: the PhoneHash search attribute of each number, for a Temporal search. */
import { loadConfigOrExit } from '../lib/config';
import { phoneHash } from '../lib/ops/phone-hash';

const config = loadConfigOrExit();
const numbers = process.argv.slice(2);
if (numbers.length === 0) {
  process.stderr.write('usage: npm run ops:phone-hash -- +254712345678 [...]\n');
  process.exit(2);
}
for (const number of numbers)
  process.stdout.write(`${number} PhoneHash='${phoneHash(number, config.walletMnemonic)}'\n`);
