/** The one no-op activity of the ceiling workflow. */
export const noopActivities = {
  noop(): Promise<number> {
    return Promise.resolve(1);
  },
};
