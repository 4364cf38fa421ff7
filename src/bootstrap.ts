/**
 * host:port[,host:port…], as --bootstrap takes it: every command validates it the same way (pure, no client loaded).
 */
export const isBootstrapList = (s: string): boolean => /^[^,\s:]+:\d{1,5}(,[^,\s:]+:\d{1,5})*$/.test(s);
