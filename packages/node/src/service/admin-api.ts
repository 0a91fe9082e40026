/**
 * The registry's admin API, behind its own keys (never the scoring keys):
 *
 *   GET    /v1/admin/registry                    versions, aliases, experiment, stats, the audit log
 *   POST   /v1/admin/versions                    { name, version }: load models/<name>/<version>/ (all or nothing)
 *   DELETE /v1/admin/versions/<name@version>     unload (refused while an alias or the experiment names it)
 *   PUT    /v1/admin/aliases/<alias>             { version, reason? }: point the alias (promote)
 *   POST   /v1/admin/aliases/<alias>/rollback    { reason? }: back to the version it named before
 *   PUT    /v1/admin/experiment                  an ExperimentConfig: start routing by it
 *   DELETE /v1/admin/experiment                  stop it (the default alias decides)
 *   GET    /v1/admin/verdict?experiment=NAME     the verdict on the experiment's labelled events
 *
 * Every change names its actor (the admin key's id) in the audit log. Errors are the
 * service's `{ code, path, message }` (404 model_not_found, 409 registry_conflict, 400).
 */
import type { LoadedBundle, ModelRegistry } from '@riskscore/core';
import { ServiceError } from './service-error';

/** What the admin API works on: the registry, and optionally a loader of versions by name for POST /v1/admin/versions. */
export interface AdminOptions {
  readonly registry: ModelRegistry;
  /** Loads a version by name (the registry folder's loader); absent: POST /v1/admin/versions answers 405. */
  readonly load?: (name: string, version: string) => Promise<LoadedBundle>;
}

export interface AdminRequest {
  readonly method: string;
  /** The path after /v1/admin/. */
  readonly rest: string;
  readonly query: URLSearchParams;
  readonly body: () => unknown;
  readonly actor: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function field(body: unknown, name: string, required: boolean): string | undefined {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ServiceError(400, 'invalid_argument', `send "${name}" as a string`, ['body', name]);
  return v;
}

/** Answers one admin request: the JSON body of a 200, or throws a ServiceError / RiskscoreError. */
export async function adminRequest(o: AdminOptions, r: AdminRequest): Promise<Record<string, unknown>> {
  const { registry } = o;
  const parts = r.rest.split('/').map((p) => decodeURIComponent(p));
  const allow = (...methods: string[]): void => {
    if (!methods.includes(r.method)) throw new ServiceError(405, 'method_not_allowed', `/v1/admin/${r.rest} takes ${methods.join(', ')}`, ['method'], { allow: methods.join(', ') });
  };
  const change = (body: unknown) => ({ actor: r.actor, reason: field(body, 'reason', false) });
  switch (parts[0]) {
    case 'registry': {
      allow('GET');
      if (parts.length !== 1) break;
      return { versions: registry.versions(), aliases: registry.aliases(), experiment: registry.experiment, stats: registry.stats(), audit: registry.audit().slice(-200) };
    }
    case 'versions': {
      if (parts.length === 1) {
        allow('POST');
        if (o.load === undefined) throw new ServiceError(405, 'method_not_allowed', 'this service was started without a registry folder to load versions from', ['method']);
        const body = r.body();
        const name = field(body, 'name', true)!, version = field(body, 'version', true)!;
        if (!NAME.test(name)) throw new ServiceError(400, 'invalid_argument', 'name is letters, digits, ".", "_" or "-"', ['body', 'name']);
        if (!NAME.test(version)) throw new ServiceError(400, 'invalid_argument', 'version is letters, digits, ".", "_" or "-"', ['body', 'version']);
        const info = await registry.load(await o.load(name, version), { actor: r.actor, reason: field(body, 'reason', false) });
        return { version: info };
      }
      if (parts.length === 2) {
        allow('DELETE');
        await registry.unload(parts[1], { actor: r.actor });
        return { unloaded: parts[1] };
      }
      break;
    }
    case 'aliases': {
      if (parts.length === 2) {
        allow('PUT');
        const body = r.body();
        return { change: registry.setAlias(parts[1], field(body, 'version', true)!, change(body)), aliases: registry.aliases() };
      }
      if (parts.length === 3 && parts[2] === 'rollback') {
        allow('POST');
        const body = r.body();
        return { change: registry.rollback(parts[1], change(body)), aliases: registry.aliases() };
      }
      break;
    }
    case 'experiment': {
      if (parts.length !== 1) break;
      allow('PUT', 'DELETE');
      if (r.method === 'DELETE') return { change: registry.endExperiment({ actor: r.actor }) ?? null };
      return { change: registry.startExperiment(r.body() as never, { actor: r.actor }), experiment: registry.experiment };
    }
    case 'verdict': {
      allow('GET');
      if (parts.length !== 1) break;
      const name = r.query.get('experiment') ?? registry.experiment?.name;
      if (!name) throw new ServiceError(400, 'invalid_argument', 'name the experiment: ?experiment=NAME', ['query', 'experiment']);
      const opt = (k: string) => { const v = r.query.get(k); return v === null ? undefined : Number(v); };
      return { verdict: registry.verdict(name, { champion: r.query.get('champion') ?? undefined, challenger: r.query.get('challenger') ?? undefined, fpr: opt('fpr'), tau2: opt('tau2') }) };
    }
    default:
  }
  throw new ServiceError(404, 'not_found', `no admin route ${r.rest.slice(0, 100)}; see GET /v1/admin/registry`, ['url']);
}
