/**
 * Cluster changes that can make an unschedulable pod schedulable (upstream's ClusterEvent). A
 * plugin lists the ones that can undo its rejections; the queue moves a pod back to activeQ only on
 * an event one of its rejecting plugins cares about.
 */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeDelete'
  | 'NodeLabelChange'
  | 'NodeTaintChange'
  | 'NodeAllocatableChange'
  | 'NodeSchedulableChange'
  | 'AssignedPodAdd'
  | 'AssignedPodUpdate'
  | 'AssignedPodDelete';

export const ALL_CLUSTER_EVENTS: readonly ClusterEvent[] = Object.freeze([
  'NodeAdd',
  'NodeDelete',
  'NodeLabelChange',
  'NodeTaintChange',
  'NodeAllocatableChange',
  'NodeSchedulableChange',
  'AssignedPodAdd',
  'AssignedPodUpdate',
  'AssignedPodDelete',
]);
