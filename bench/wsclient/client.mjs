// The websocket side of `bench/subscriptions.py --client node`: one Node.js process that opens the bench's
// sockets and reads them, driven by the Python orchestrator over JSON lines (commands on stdin, replies and
// events on stdout; diagnostics on stderr).
//
// It speaks graphql-transport-ws exactly as the Python client does: `connection_init` with a bearer token
// (tokens round robin over the sockets), then on `connection_ack` one `subscribe` (id "1", the socket's document
// round robin over `queries`, variables {id: dealId}); every later message is timestamped on arrival, then
// parsed. Timestamps are epoch milliseconds with sub-millisecond precision (performance.timeOrigin +
// performance.now()), the clock time.time() reads on the Python side (the `clock` command measures the offset).
//
// Commands and their replies (the orchestrator sends the next command once the last one is answered):
//   {"cmd":"configure","url","tokens","queries","dealId","compression"} -> {"event":"configured","node","ws"}
//   {"cmd":"clock"}                              -> {"event":"clock","at"}: this process's clock, now
//   {"cmd":"open","first","count"}               -> {"event":"opened","count","extensions"} once all are acked
//                                                   and subscribed ({"event":"error","message"} if one failed)
//   {"cmd":"expect","title","count"}             -> {"event":"expecting","title"}, later {"event":"complete",
//                                                   "title"} when `count` sockets have the event of that title
//   {"cmd":"report","title"}                     -> {"event":"report","title","arrivals":[[socket, ms]...],
//                                                   "sequences":[...]}
//   {"cmd":"problems"}                           -> {"event":"problems","unexpected":[[socket, text]...],
//                                                   "closed":[[socket, code]...]}: closed by the server
//   {"cmd":"close","batch"}                      -> {"event":"closed"} once every socket is closed, `batch` at
//                                                   a time
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";

const PROTOCOL = "graphql-transport-ws";
const OPEN_TIMEOUT_MS = 60_000;
const wsVersion = createRequire(import.meta.url)("ws/package.json").version;

let config = null;
const sockets = [];
const rounds = new Map(); // title -> {expected, arrivals: [[socket, ms]], sequences: Set}
const unexpected = [];
const closedByServer = [];
let closing = false;

const now = () => performance.timeOrigin + performance.now();
const reply = (message) => process.stdout.write(JSON.stringify(message) + "\n");

function received(index, at, data) {
  const message = JSON.parse(data);
  const payload = message.payload ?? {};
  const event = message.type === "next" && !("errors" in payload) ? payload.data?.dealUpdated : undefined;
  const current = rounds.get(event?.deal?.title);
  if (!current) {
    unexpected.push([index, String(data).slice(0, 300)]);
    return;
  }
  current.arrivals.push([index, at]);
  current.sequences.add(event.sequence);
  if (current.arrivals.length === current.expected) reply({ event: "complete", title: current.title });
}

function subscribe(index) {
  const { url, tokens, queries, dealId, compression } = config;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, PROTOCOL, { perMessageDeflate: compression, handshakeTimeout: OPEN_TIMEOUT_MS });
    let acked = false;
    socket.on("open", () => {
      const init = { type: "connection_init", payload: { authorization: `Bearer ${tokens[index % tokens.length]}` } };
      socket.send(JSON.stringify(init));
    });
    socket.on("message", (data) => {
      if (acked) return received(index, now(), data); // timestamp first, parse after
      const ack = JSON.parse(data);
      if (ack.type !== "connection_ack") return reject(new Error(`socket ${index}: ${data}`));
      acked = true;
      const variables = { id: dealId };
      const query = queries[index % queries.length];
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      sockets[index] = socket;
      resolve(socket);
    });
    socket.on("close", (code) => {
      if (acked && !closing) closedByServer.push([index, code]);
      if (!acked) reject(new Error(`socket ${index} closed (${code}) before connection_ack`));
    });
    socket.on("error", (error) => {
      if (!acked) reject(new Error(`socket ${index}: ${error.message}`));
    });
  });
}

async function closeAll(batch) {
  closing = true;
  const open = sockets.filter((socket) => socket && socket.readyState !== WebSocket.CLOSED);
  const closeOne = (socket) =>
    new Promise((resolve) => {
      socket.once("close", resolve);
      socket.close();
    });
  for (let start = 0; start < open.length; start += batch) await Promise.all(open.slice(start, start + batch).map(closeOne));
}

const commands = {
  configure(command) {
    config = command;
    reply({ event: "configured", node: process.version, ws: wsVersion });
  },
  clock() {
    reply({ event: "clock", at: now() });
  },
  async open({ first, count }) {
    const opened = [];
    for (let index = first; index < first + count; index++) opened.push(subscribe(index));
    try {
      await Promise.all(opened);
    } catch (error) {
      return reply({ event: "error", message: error.message });
    }
    reply({ event: "opened", count, extensions: sockets[0]?.extensions ?? "" });
  },
  expect({ title, count }) {
    rounds.set(title, { title, expected: count, arrivals: [], sequences: new Set() });
    reply({ event: "expecting", title });
  },
  report({ title }) {
    const current = rounds.get(title);
    reply({ event: "report", title, arrivals: current.arrivals, sequences: [...current.sequences] });
  },
  problems() {
    reply({ event: "problems", unexpected, closed: closedByServer });
  },
  async close({ batch }) {
    await closeAll(batch);
    reply({ event: "closed" });
  },
};

createInterface({ input: process.stdin }).on("line", (line) => {
  const command = JSON.parse(line);
  Promise.resolve(commands[command.cmd](command)).catch((error) => {
    reply({ event: "error", message: `${command.cmd}: ${error.stack}` });
  });
});
