// The lab's public API: install, up, status, down and the faults drills and tests inject.
//   labInstall(opts?)                          → { ran, alreadyInstalled }
//   labUp(settings, parts?, opts?)             → LabUpResult (waits until every part is healthy)
//   labStatus(settings)                        → LabStatus (one row per node)
//   labDown(settings, { keepData?, log? })     → { stopped, portsStillBusy }
//   labCrash / labRestart / labFreeze / labThaw / labPartition / labHeal(settings, node) → { node, t0 }
//   labLag(settings, node, ms)                 → { node, leader, pids, ms, t0 }
export * from './settings.js';
export * from './types.js';
export { labInstall, LAB_PACKAGES, missingPackages } from './install.js';
export { labUp, expandParts } from './up.js';
export { labDown, type LabDownResult } from './down.js';
export { labStatus } from './status.js';
export { labCrash, labRestart, labFreeze, labThaw, labLag, labPartition, labHeal, isPartitioned, partitionNetns, assertNode, walSenderPids, labFreezeRegion, regionANodes } from './faults.js';
export { DR_ZONE, DR_TSIG_KEY_NAME, DR_TTL, drNameTarget, labResolver, patroniBState, regionBScope, tsigSecret } from './region-b.js';
export { labInventory, labInventoryYaml } from './inventory.js';
export { labResetRegions } from './region-reset.js';
export { readEvents } from './events.js';
export {
  checkPart,
  checkEtcd,
  checkPg,
  checkHaproxy,
  checkRedis,
  checkSshd,
  haproxyServers,
  labRedisAuth,
  patroniLeader,
  patroniState,
  sentinelMasters,
  sshLogin,
  type Check,
  type HaproxyServer,
  type PatroniView,
} from './health.js';
export { busyPorts, tcpOpen } from './ports.js';
export { redisCommand, redisInfo } from './resp.js';
