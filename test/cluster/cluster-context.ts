import { startLineFake } from '../fakes/line-fake.js';
import type { LineFake } from '../fakes/line-fake.js';
import { sleep } from '../support/sockets.js';
import { Addresses } from './clients.js';
import { LINE_TOKEN, LoadAgent, LoadSize, setUpTeam } from './load.js';
import type { ScenarioContext } from './scenario.js';
import { Topology, startTopology } from './topology.js';

/**
 * The cluster with its team and signed-in agents, as the fault scenarios and the soak start it: the LINE fake, the
 * topology, the team's channels and report groups, then `size.agents` agents, one at a time (each sign-up hashes a
 * password), each online with its inbox socket connected.
 */
export async function startCluster(size: LoadSize, sweepEveryMs?: number): Promise<ScenarioContext> {
  let line: LineFake | undefined;
  let topology: Topology | undefined;
  const agents: LoadAgent[] = [];
  try {
    line = await startLineFake({ channelAccessToken: LINE_TOKEN });
    topology = await startTopology();
    const setup = await setUpTeam(topology.url, topology.admin, line);
    const team = await setup.admin.send('GET', '/api/teams/current', { headers: setup.adminAuth });
    const { inviteCode } = team.json as { inviteCode: string };
    const agentAddresses = new Addresses(1);
    for (let i = 0; i < size.agents; i++) agents.push(await LoadAgent.signUp(setup, inviteCode, i, agentAddresses.take(), sweepEveryMs));
    const deadline = Date.now() + 30_000;
    while (!agents.every((agent) => agent.socket.connected)) {
      if (Date.now() > deadline) throw new Error('the agents’ inbox sockets did not connect');
      await sleep(100);
    }
    return { topology, setup, line, agents, size, visitorAddresses: new Addresses(2), providerAddresses: new Addresses(3) };
  } catch (error) {
    await Promise.all(agents.map((agent) => agent.close()));
    await topology?.close();
    await line?.close();
    throw error;
  }
}

export async function stopCluster(context: ScenarioContext | undefined): Promise<void> {
  if (!context) return;
  await Promise.all(context.agents.map((agent) => agent.close()));
  await context.setup.admin.close();
  await context.topology.close();
  await context.line.close();
}
