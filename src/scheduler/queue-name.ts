/** The one pg-boss queue Lots uses: sends that fell due by Lots' clock. */
export const JOB_QUEUE = 'lots-due';
