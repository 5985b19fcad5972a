import type { ComponentKindEntry } from './kinds.js';
import { STORE_KIND } from './kinds/store.js';
import { APISERVER_KIND } from './kinds/apiserver.js';
import { CLUSTER_STATE_KIND, CONTROLLER_MANAGER_KIND, ELECTION_KIND, KUBELET_KIND, SCHEDULER_KIND } from './kinds/controlplane.js';

/**
 * Every component kind the runner can wire, in start-up order (the store first: everything else
 * talks to it). Adding a component to the product is adding its entry here.
 */
export const COMPONENT_TABLE: readonly ComponentKindEntry[] = [
  STORE_KIND,
  APISERVER_KIND,
  CLUSTER_STATE_KIND,
  ELECTION_KIND,
  SCHEDULER_KIND,
  CONTROLLER_MANAGER_KIND,
  KUBELET_KIND,
];
