import { packageBuild } from '../../tsup.base';

export default packageBuild(['src/index.ts', 'src/cli.ts', 'src/fastify.ts', 'src/redis.ts', 'src/nats.ts', 'src/worker/scoring-worker.ts'], { shims: true });
