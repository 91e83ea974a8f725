// PostGraphile 5 over the bench database. The preset (amber) is given on the command line (`-P`);
// this file only sizes the connection pool like the hub's and the limit's (16) and turns LISTEN off.
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString = process.env.BENCH_DATABASE_URL;
if (!connectionString) {
  throw new Error("BENCH_DATABASE_URL is not set");
}

export default {
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: Number(process.env.BENCH_POOL_SIZE || 16) },
      pubsub: false,
    }),
  ],
  grafast: { explain: false },
};
