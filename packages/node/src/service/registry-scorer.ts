/**
 * A model registry as the service's scorer: each score is routed by the registry (the
 * response names the version that decided and its arm); outcomes are attributed to every
 * version that scored the event and fed to every state group's label windows; the model
 * the service names outside a score is the one the default alias points at now; a kept
 * feature row is explained by the version that scored it.
 */
import { RiskscoreError, type ModelRegistry } from '@riskscore/core';
import type { ServiceScorer } from './scoring-service';

/**
 * The service's scorer over a model registry (see the module comment). Throws
 * `invalid_argument` for something that is not a ModelRegistry, and `model_not_found`
 * when the default alias points at no loaded version yet.
 */
export function registryServiceScorer(registry: ModelRegistry): ServiceScorer {
  if (registry === null || typeof registry !== 'object' || typeof registry.safeScore !== 'function' || typeof registry.setAlias !== 'function') {
    throw new RiskscoreError('invalid_argument', 'registryServiceScorer: expected a ModelRegistry (createModelRegistry)', { path: ['registry'] });
  }
  const current = () => {
    const c = registry.current;
    if (c === undefined) throw new RiskscoreError('model_not_found', 'no version decides: point the default alias at a loaded version before serving', { path: ['aliases'] });
    return registry.scorer(c.ref);
  };
  current(); // refused now rather than at the first request
  return {
    registry,
    get model() { return registry.current?.ref ?? 'none'; },
    get bundle() { return current().bundle; },
    get featureNames() { return current().featureNames; },
    safeScore: (event, options) => registry.safeScore(event, options),
    scoreBatch: (events, options) => registry.scoreBatch(events, options),
    // The dashboard's waterfall and insights: a kept row explained by the version that scored it (else the current one).
    scoreFeatures: (row, event, options, version) => {
      let s;
      try {
        s = version === undefined ? current() : registry.scorer(version);
      } catch (cause) {
        return Promise.reject(new RiskscoreError('model_not_found', `version ${version} that scored the row is no longer loaded`, { path: ['version'], cause }));
      }
      return s.scoreFeatures(row, event, options);
    },
    recordOutcome(event, label) {
      const windows = registry.feedOutcome(event, label as 0 | 1);
      const idField = (current().bundle.manifest.features.spec as { event?: { idField?: unknown } } | undefined)?.event?.idField;
      const id = typeof idField === 'string' ? event[idField] : undefined;
      if (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) registry.recordOutcome(id, label as 0 | 1);
      return windows;
    },
    predictFeatures: (rows, nRows) => current().predictFeatures(rows, nRows),
  };
}
