/** Cases of the loader and writer corpora (each file checks its own count), for the corpus total of issue 18. */
export const LOADER_CASE_COUNT = 15;
export const WRITER_CASE_COUNT = 13;
