// Sign-in through a hosted OIDC login (a deployed stage's `config.signIn` "oidc"): the
// authorization code flow with PKCE (RFC 7636, S256) for a public client, in the browser.
// `config.oidc` is {authorize, token, clientId, redirect, scopes}. The one registered redirect is
// `signed-in.html`, which exchanges the code and goes back to the page that started.
//
// The token kept is the ID token: it carries the role (`cognito:groups` or `role`) and the
// merchant or supplier (`custom:merchant_id` …) that the API reads (chalicelib/auth/principal.py);
// a Cognito access token carries no custom attributes. It lives in sessionStorage: this tab only,
// gone when the tab closes.

const PENDING = "ontime.oidc.pending";
const ROLES = ["customer", "merchant", "installer", "supplier", "carrier", "ops"];
const EXPIRY_MARGIN_MS = 60_000; // a token this close to its end would fail mid-use: sign in again

const tokenKey = (role) => `ontime.token.${role}`;

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

/** Away to the hosted login for `role`; this page is where the browser comes back to afterwards. */
export async function startSignIn(oidc, role) {
  const verifier = randomString(32); // 43 characters: RFC 7636's minimum length
  const state = randomString(16);
  const back = new URL(location.href);
  back.searchParams.delete("code");
  back.searchParams.delete("state");
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, role, returnTo: back.pathname + back.search }));
  const url = new URL(oidc.authorize);
  url.search = new URLSearchParams({
    response_type: "code", client_id: oidc.clientId, redirect_uri: oidc.redirect, scope: oidc.scopes.join(" "),
    state, code_challenge: await challengeOf(verifier), code_challenge_method: "S256",
  }).toString();
  location.assign(url.toString());
}

/**
 * Back from the login (`?code=&state=`, or `?error=`): the code exchanged for tokens, the ID token
 * kept for the role the sign-in was started for. Null when this page was not opened by the login.
 */
export async function finishSignIn(oidc) {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || "null");
  sessionStorage.removeItem(PENDING); // a code is good once; so is its verifier
  if (query.has("error")) {
    throw new Error(`the login refused: ${query.get("error_description") || query.get("error")}`);
  }
  if (!pending || pending.state !== query.get("state")) {
    throw new Error("this sign-in was not started in this tab (or was already used): sign in again");
  }
  const answer = await fetch(oidc.token, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: oidc.clientId, code: query.get("code"),
      redirect_uri: oidc.redirect, code_verifier: pending.verifier,
    }),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok || !body.id_token) {
    throw new Error(`the login's token endpoint: ${body.error_description || body.error || `HTTP ${answer.status}`}`);
  }
  sessionStorage.setItem(tokenKey(pending.role), body.id_token);
  return { role: pending.role, token: body.id_token, returnTo: pending.returnTo };
}

/** A token's claims, unverified: only to show who signed in (the API verifies every call). */
export function payloadOf(token) {
  const part = token.split(".")[1] || "";
  const text = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(text, (c) => c.charCodeAt(0))));
}

/** What the terminals call the claims (`sub`, `role`, `merchant_id`, `supplier_id`), read as the API reads them. */
export function claimsOf(token) {
  const p = payloadOf(token);
  const role = p.role || (p["cognito:groups"] || []).find((group) => ROLES.includes(group));
  const claims = { sub: p.sub, role, exp: p.exp };
  const merchant = p.merchant_id || p["custom:merchant_id"];
  const supplier = p.supplier_id || p["custom:supplier_id"];
  if (merchant) claims.merchant_id = merchant;
  if (supplier) claims.supplier_id = supplier;
  return claims;
}

/** The token this tab signed in with for `role`, while it is still good; otherwise none (and forgotten). */
export function keptToken(role) {
  const token = sessionStorage.getItem(tokenKey(role));
  if (!token) return null;
  try {
    const claims = claimsOf(token);
    if (claims.role === role && claims.exp * 1000 > Date.now() + EXPIRY_MARGIN_MS) return { token, claims };
  } catch {
    // not a JWT: forget it below
  }
  sessionStorage.removeItem(tokenKey(role));
  return null;
}

/**
 * Back from the login, as a page loads: the token kept, and the browser sent on to the page that
 * started the sign-in (true: this page is leaving), or this page's address cleaned of the code
 * (false, as when the login was not involved: go on).
 */
export async function returnFromSignIn(oidc) {
  const finished = await finishSignIn(oidc);
  if (!finished) return false;
  const { role } = claimsOf(finished.token);
  if (role !== finished.role) {
    sessionStorage.removeItem(tokenKey(finished.role));
    throw new Error(`this account is not a ${finished.role}'s (its role: ${role || "none"})`);
  }
  const back = new URL(finished.returnTo || location.pathname, location.origin);
  if (back.pathname !== location.pathname) {
    location.replace(back.toString());
    return true;
  }
  history.replaceState(null, "", back.pathname + back.search);
  return false;
}
