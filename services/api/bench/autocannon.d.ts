// autocannon ships no types; the bench uses its programmatic call and the client 'response' event only.
declare module 'autocannon' {
  const autocannon: (opts: object) => Promise<{ requests: { average: number } }>;
  export default autocannon;
}
