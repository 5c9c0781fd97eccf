export const LOADER_CASE_COUNT = 0;
export const WRITER_CASE_COUNT = 0;
