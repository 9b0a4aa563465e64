// What a registry's bearer token says it grants, read (unverified) only to explain a refusal: a
// push refused with a token that grants pull is read-only credentials, not a missing repository.

/**
 * The actions a JWT bearer token grants on `repository` (its `access` claim, as distribution,
 * Docker Hub, Quay and Harbor issue it), read unverified and used only to explain a refusal;
 * undefined for a token that is not such a JWT.
 */
export function grantedActions(authorization: string | undefined, repository: string): string[] | undefined {
  const payload = /^Bearer [\w-]+\.([\w-]+)\.[\w-]*$/.exec(authorization ?? '')?.[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { access?: unknown };
    if (!Array.isArray(claims.access)) return undefined;
    const actions = (claims.access as { type?: unknown; name?: unknown; actions?: unknown }[])
      .filter((a) => a && a.type === 'repository' && a.name === repository && Array.isArray(a.actions))
      .flatMap((a) => (a.actions as unknown[]).filter((x): x is string => typeof x === 'string'));
    return [...new Set(actions)];
  } catch {
    return undefined;
  }
}
