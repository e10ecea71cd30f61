// The merchant console's calls part: mounted by console.js with {config, token, api, clock, terminal, merchantId}.
export function mountCalls(console) { void console; }
