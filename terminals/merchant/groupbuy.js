// The merchant console's groupbuy part: mounted by console.js with {config, token, api, clock, terminal, merchantId}.
export function mountGroupBuy(context) { void context; }
