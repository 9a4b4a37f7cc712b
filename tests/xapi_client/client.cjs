// Drives the Unstuck LRS with @xapi/xapi (a client library nobody here wrote).
// Usage: XAPI_ENDPOINT=http://127.0.0.1:PORT/xapi/ XAPI_KEY=... XAPI_SECRET=... node client.cjs
// Prints one JSON object with what it observed; unstuck/lrs/tests/test_real_client.py checks it.
const XAPI = require("@xapi/xapi").default || require("@xapi/xapi");

async function main() {
  const auth = XAPI.toBasicAuth(process.env.XAPI_KEY, process.env.XAPI_SECRET);
  const xapi = new XAPI({ endpoint: process.env.XAPI_ENDPOINT, auth, version: "1.0.3" });
  const out = {};
  const actor = { objectType: "Agent", name: "Node Learner", mbox: "mailto:node@example.com" };
  const verb = { id: "http://adlnet.gov/expapi/verbs/experienced", display: { "en-US": "experienced" } };
  const registration = "5e3a1f55-8a8b-4a8f-9d4e-0c2b7f0e4a11";

  out.about = (await xapi.getAbout()).data.version;

  const statements = [];
  for (let i = 0; i < 5; i++) {
    const s = { actor, verb, object: { objectType: "Activity", id: `http://example.com/node/${i}` } };
    if (i < 2) s.context = { registration };
    statements.push(s);
  }
  out.sent = (await xapi.sendStatements({ statements })).data;
  out.single = (await xapi.sendStatement({
    statement: { actor, verb: XAPI.Verbs.COMPLETED, object: { id: "http://example.com/node/x" },
                 result: { success: true, score: { scaled: 0.9 } } },
  })).data;

  // Paging through `more` links, two at a time.
  let page = await xapi.getStatements({ verb: verb.id, limit: 2 });
  const paged = page.data.statements.map((s) => s.id);
  let pages = 1;
  while (page.data.more) {
    page = await xapi.getMoreStatements({ more: page.data.more });
    paged.push(...page.data.statements.map((s) => s.id));
    pages += 1;
  }
  out.paged = paged;
  out.pages = pages;
  out.byRegistration = (await xapi.getStatements({ registration })).data.statements.length;
  out.byAgent = (await xapi.getStatements({ agent: actor })).data.statements.length;
  out.byActivity = (await xapi.getStatements({ activity: "http://example.com/node/3" })).data.statements.map((s) => s.id);
  const one = await xapi.getStatement({ statementId: out.single[0] });
  out.singleScore = one.data.result.score.scaled;
  out.versionHeader = one.headers["x-experience-api-version"];
  out.consistentThrough = Boolean(one.headers["x-experience-api-consistent-through"]);

  // Voiding.
  await xapi.voidStatement({ actor, statementId: out.sent[4] });
  out.voidedFound = (await xapi.getVoidedStatement({ voidedStatementId: out.sent[4] })).data.id;
  try {
    await xapi.getStatement({ statementId: out.sent[4] });
    out.voidedHidden = false;
  } catch (e) {
    out.voidedHidden = e.response ? e.response.status === 404 : String(e);
  }

  // State: set, merge, list, read, delete.
  const activityId = "http://example.com/node/course";
  await xapi.setState({ agent: actor, activityId, stateId: "bookmark", state: { slide: 4 } });
  await xapi.createState({ agent: actor, activityId, stateId: "bookmark", state: { score: 7 } });
  out.state = (await xapi.getState({ agent: actor, activityId, stateId: "bookmark" })).data;
  await xapi.setState({ agent: actor, activityId, stateId: "suspend", state: { data: "abc" }, registration });
  out.stateIds = (await xapi.getStates({ agent: actor, activityId })).data;
  await xapi.deleteState({ agent: actor, activityId, stateId: "bookmark" });
  out.stateIdsAfterDelete = (await xapi.getStates({ agent: actor, activityId })).data;

  // Activity profile with concurrency, activities and agents.
  await xapi.setActivityProfile({ activityId, profileId: "p", profile: { v: 1 }, matchHeader: "If-None-Match", etag: "*" });
  const prof = await xapi.getActivityProfile({ activityId, profileId: "p" });
  await xapi.setActivityProfile({ activityId, profileId: "p", profile: { v: 2 }, etag: prof.headers.etag, matchHeader: "If-Match" });
  out.profile = (await xapi.getActivityProfile({ activityId, profileId: "p" })).data;
  out.activity = (await xapi.getActivity({ activityId: "http://example.com/node/1" })).data.id;
  out.person = (await xapi.getAgent({ agent: actor })).data;

  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  const detail = e.response ? { status: e.response.status, data: e.response.data, url: e.config && e.config.url } : String(e.stack || e);
  process.stderr.write(JSON.stringify({ error: detail }));
  process.exit(1);
});
