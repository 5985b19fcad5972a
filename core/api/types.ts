/**
 * Kubernetes-shaped object types for the kinds kubesim serves.
 *
 * Field names and nesting follow the upstream API (k8s.io/api) so that real manifests map onto
 * them one to one. Only the fields the simulation uses or validates are present; the manifest
 * loader rejects any other field by name.
 *
 * Conventions:
 * - Objects are immutable values: every field is readonly and updates build new objects.
 * - Quantities (cpu, memory, pods…) stay strings as in the API (`"100m"`, `"16Gi"`); parse them
 *   with core/api/quantity.ts. The loader turns YAML numbers (`cpu: 1`) into strings.
 * - Timestamps (`creationTimestamp`, `deletionTimestamp`, `startTime`, Lease times, condition
 *   transition times) are SIMULATED seconds since the start of the run, as a float number
 *   (microsecond precision), never wall-clock and never an RFC3339 string: they compare and
 *   subtract cheaply and match the time unit of the output files (SPEC: "simulated seconds").
 * - `resourceVersion` is a decimal string, as upstream: clients must treat it as opaque apart
 *   from the list/watch "from" semantics the API server gives it.
 */

// ───────────────────────────── meta ─────────────────────────────

/** Simulated seconds since the start of the run (float). */
export type SimSeconds = number;

/** `intstr.IntOrString`: `3` or `"25%"`. */
export type IntOrString = number | string;

/** A string → string map (labels, annotations, nodeSelector). */
export type StringMap = Readonly<Record<string, string>>;

/** `ResourceList`: resource name → quantity string, e.g. `{cpu: "100m", memory: "64Mi"}`. */
export type ResourceList = Readonly<Record<string, string>>;

export interface TypeMeta {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  readonly name?: string;
  /** Prefix for a server-generated name when `name` is empty. */
  readonly generateName?: string;
  /** Empty/absent for cluster-scoped kinds; defaulted to `default` for namespaced ones. */
  readonly namespace?: string;
  readonly uid?: string;
  /** Opaque decimal string set by the API server from the store's revision. */
  readonly resourceVersion?: string;
  /** Incremented by the API server on every spec change (not on status/metadata-only changes). */
  readonly generation?: number;
  readonly labels?: StringMap;
  readonly annotations?: StringMap;
  readonly ownerReferences?: readonly OwnerReference[];
  /** Simulated seconds; set by the API server on create. */
  readonly creationTimestamp?: SimSeconds;
  /** Simulated seconds; set when graceful deletion starts. */
  readonly deletionTimestamp?: SimSeconds;
  readonly deletionGracePeriodSeconds?: number;
  readonly finalizers?: readonly string[];
}

/** `metav1.LabelSelectorRequirement`. */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/** `metav1.LabelSelector`: the requirements are ANDed; an empty selector matches everything. */
export interface LabelSelector {
  readonly matchLabels?: StringMap;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Shape shared by the conditions of every kind here. */
export interface Condition<T extends string = string> {
  readonly type: T;
  readonly status: ConditionStatus;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: SimSeconds;
  readonly lastUpdateTime?: SimSeconds;
  readonly lastHeartbeatTime?: SimSeconds;
  readonly lastProbeTime?: SimSeconds;
}

/** Common envelope: every object has TypeMeta and ObjectMeta. */
interface Envelope<K extends string, V extends string> {
  readonly apiVersion: V;
  readonly kind: K;
  readonly metadata: ObjectMeta;
}

// ───────────────────────────── core/v1 ─────────────────────────────

export interface Namespace extends Envelope<'Namespace', 'v1'> {
  readonly spec?: { readonly finalizers?: readonly string[] };
  readonly status?: { readonly phase?: 'Active' | 'Terminating' };
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
  /** Simulated seconds; only for NoExecute taints added by the node lifecycle controller. */
  readonly timeAdded?: SimSeconds;
}

export interface Toleration {
  readonly key?: string;
  /** Absent means `Equal`. */
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  /** Absent matches every effect. */
  readonly effect?: TaintEffect;
  /** Only for NoExecute: how long the pod stays bound after the taint appears. */
  readonly tolerationSeconds?: number;
}

export type NodeConditionType = 'Ready' | 'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable';

export interface NodeSystemInfo {
  readonly kubeletVersion?: string;
  readonly containerRuntimeVersion?: string;
  readonly osImage?: string;
  readonly kernelVersion?: string;
  readonly operatingSystem?: string;
  readonly architecture?: string;
  readonly machineID?: string;
  readonly systemUUID?: string;
  readonly bootID?: string;
  readonly kubeProxyVersion?: string;
}

export interface NodeSpec {
  readonly unschedulable?: boolean;
  readonly taints?: readonly Taint[];
  readonly providerID?: string;
}

export interface NodeStatus {
  readonly capacity?: ResourceList;
  readonly allocatable?: ResourceList;
  readonly conditions?: readonly Condition<NodeConditionType>[];
  readonly nodeInfo?: NodeSystemInfo;
}

export interface Node extends Envelope<'Node', 'v1'> {
  readonly spec?: NodeSpec;
  readonly status?: NodeStatus;
}

export interface ResourceRequirements {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

export interface HTTPGetAction {
  readonly path?: string;
  readonly port: IntOrString;
  readonly host?: string;
  readonly scheme?: 'HTTP' | 'HTTPS';
}

/** A probe's handler is not executed; the image behaviour model decides the outcome. */
export interface Probe {
  readonly httpGet?: HTTPGetAction;
  readonly tcpSocket?: { readonly port: IntOrString; readonly host?: string };
  readonly exec?: { readonly command?: readonly string[] };
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly initialDelaySeconds?: number;
  readonly timeoutSeconds?: number;
  readonly periodSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
  readonly terminationGracePeriodSeconds?: number;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly hostPort?: number;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly hostIP?: string;
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
}

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  readonly ports?: readonly ContainerPort[];
  readonly env?: readonly EnvVar[];
  readonly resources?: ResourceRequirements;
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly terminationMessagePath?: string;
  readonly terminationMessagePolicy?: 'File' | 'FallbackToLogsOnError';
}

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  readonly key: string;
  readonly operator: NodeSelectorOperator;
  readonly values?: readonly string[];
}

/** Requirements within a term are ANDed. */
export interface NodeSelectorTerm {
  readonly matchExpressions?: readonly NodeSelectorRequirement[];
  readonly matchFields?: readonly NodeSelectorRequirement[];
}

/** Terms are ORed. */
export interface NodeSelector {
  readonly nodeSelectorTerms: readonly NodeSelectorTerm[];
}

export interface PreferredSchedulingTerm {
  /** 1–100. */
  readonly weight: number;
  readonly preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector;
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly PreferredSchedulingTerm[];
}

export interface PodAffinityTerm {
  readonly labelSelector?: LabelSelector;
  /** Absent/empty means the pod's own namespace (unless namespaceSelector is set). */
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelector;
  readonly topologyKey: string;
  readonly matchLabelKeys?: readonly string[];
  readonly mismatchLabelKeys?: readonly string[];
}

export interface WeightedPodAffinityTerm {
  /** 1–100. */
  readonly weight: number;
  readonly podAffinityTerm: PodAffinityTerm;
}

export interface PodAffinity {
  readonly requiredDuringSchedulingIgnoredDuringExecution?: readonly PodAffinityTerm[];
  readonly preferredDuringSchedulingIgnoredDuringExecution?: readonly WeightedPodAffinityTerm[];
}

/** Same shape as PodAffinity; the meaning is inverted. */
export type PodAntiAffinity = PodAffinity;

export interface Affinity {
  readonly nodeAffinity?: NodeAffinity;
  readonly podAffinity?: PodAffinity;
  readonly podAntiAffinity?: PodAntiAffinity;
}

export interface TopologySpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  readonly labelSelector?: LabelSelector;
  readonly minDomains?: number;
  readonly nodeAffinityPolicy?: 'Honor' | 'Ignore';
  readonly nodeTaintsPolicy?: 'Honor' | 'Ignore';
  readonly matchLabelKeys?: readonly string[];
}

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly nodeName?: string;
  readonly nodeSelector?: StringMap;
  readonly affinity?: Affinity;
  readonly tolerations?: readonly Toleration[];
  readonly topologySpreadConstraints?: readonly TopologySpreadConstraint[];
  /** Resolved from priorityClassName by admission; users should not set it directly. */
  readonly priority?: number;
  readonly priorityClassName?: string;
  readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
  readonly schedulerName?: string;
  readonly restartPolicy?: RestartPolicy;
  readonly terminationGracePeriodSeconds?: number;
  readonly activeDeadlineSeconds?: number;
  readonly serviceAccountName?: string;
  /** Deprecated alias of serviceAccountName, still accepted upstream. */
  readonly serviceAccount?: string;
  readonly automountServiceAccountToken?: boolean;
  readonly hostNetwork?: boolean;
  readonly dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
  readonly enableServiceLinks?: boolean;
  readonly securityContext?: Readonly<Record<string, unknown>>;
  readonly imagePullSecrets?: readonly { readonly name: string }[];
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export type PodConditionType = 'PodScheduled' | 'Initialized' | 'ContainersReady' | 'Ready' | 'DisruptionTarget' | 'PodReadyToStartContainers';

/** Exactly one of the three is set, as upstream. */
export interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: SimSeconds };
  readonly terminated?: {
    readonly exitCode: number;
    readonly reason?: string;
    readonly message?: string;
    readonly startedAt?: SimSeconds;
    readonly finishedAt?: SimSeconds;
  };
}

export interface ContainerStatus {
  readonly name: string;
  readonly image?: string;
  readonly ready: boolean;
  readonly started?: boolean;
  readonly restartCount: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

export interface PodStatus {
  readonly phase?: PodPhase;
  readonly conditions?: readonly Condition<PodConditionType>[];
  readonly containerStatuses?: readonly ContainerStatus[];
  readonly startTime?: SimSeconds;
  readonly nominatedNodeName?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly hostIP?: string;
}

export interface Pod extends Envelope<'Pod', 'v1'> {
  readonly spec: PodSpec;
  readonly status?: PodStatus;
}

/** A pod template as embedded in ReplicaSets and Deployments. */
export interface PodTemplateSpec {
  readonly metadata?: ObjectMeta;
  readonly spec: PodSpec;
}

export type LimitType = 'Container' | 'Pod' | 'PersistentVolumeClaim';

export interface LimitRangeItem {
  readonly type: LimitType;
  readonly max?: ResourceList;
  readonly min?: ResourceList;
  /** Default limits. */
  readonly default?: ResourceList;
  readonly defaultRequest?: ResourceList;
  readonly maxLimitRequestRatio?: ResourceList;
}

export interface LimitRange extends Envelope<'LimitRange', 'v1'> {
  readonly spec: { readonly limits: readonly LimitRangeItem[] };
}

export type ResourceQuotaScope = 'Terminating' | 'NotTerminating' | 'BestEffort' | 'NotBestEffort' | 'PriorityClass';

export interface ResourceQuota extends Envelope<'ResourceQuota', 'v1'> {
  readonly spec: {
    /** Keys such as `pods`, `requests.cpu`, `limits.memory`, `cpu` (= requests.cpu), `count/deployments.apps`. */
    readonly hard?: ResourceList;
    readonly scopes?: readonly ResourceQuotaScope[];
  };
  readonly status?: { readonly hard?: ResourceList; readonly used?: ResourceList };
}

export interface ServiceAccount extends Envelope<'ServiceAccount', 'v1'> {
  readonly automountServiceAccountToken?: boolean;
  readonly secrets?: readonly { readonly name: string }[];
  readonly imagePullSecrets?: readonly { readonly name: string }[];
}

// ───────────────────────────── apps/v1 ─────────────────────────────

export interface ReplicaSetSpec {
  readonly replicas?: number;
  readonly minReadySeconds?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
}

export type ReplicaSetConditionType = 'ReplicaFailure';

export interface ReplicaSetStatus {
  readonly replicas: number;
  readonly fullyLabeledReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition<ReplicaSetConditionType>[];
}

export interface ReplicaSet extends Envelope<'ReplicaSet', 'apps/v1'> {
  readonly spec: ReplicaSetSpec;
  readonly status?: ReplicaSetStatus;
}

export interface RollingUpdateDeployment {
  /** Default 25%; rounded down when a percentage. */
  readonly maxUnavailable?: IntOrString;
  /** Default 25%; rounded up when a percentage. */
  readonly maxSurge?: IntOrString;
}

export interface DeploymentStrategy {
  readonly type?: 'RollingUpdate' | 'Recreate';
  readonly rollingUpdate?: RollingUpdateDeployment;
}

export interface DeploymentSpec {
  readonly replicas?: number;
  readonly selector: LabelSelector;
  readonly template: PodTemplateSpec;
  readonly strategy?: DeploymentStrategy;
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly paused?: boolean;
  readonly progressDeadlineSeconds?: number;
}

export type DeploymentConditionType = 'Available' | 'Progressing' | 'ReplicaFailure';

export interface DeploymentStatus {
  readonly observedGeneration?: number;
  readonly replicas?: number;
  readonly updatedReplicas?: number;
  readonly readyReplicas?: number;
  readonly availableReplicas?: number;
  readonly unavailableReplicas?: number;
  readonly conditions?: readonly Condition<DeploymentConditionType>[];
  readonly collisionCount?: number;
}

export interface Deployment extends Envelope<'Deployment', 'apps/v1'> {
  readonly spec: DeploymentSpec;
  readonly status?: DeploymentStatus;
}

// ───────────────────────────── coordination.k8s.io/v1 ─────────────────────────────

export interface LeaseSpec {
  readonly holderIdentity?: string;
  readonly leaseDurationSeconds?: number;
  /** Simulated seconds (upstream: MicroTime). */
  readonly acquireTime?: SimSeconds;
  /** Simulated seconds (upstream: MicroTime). */
  readonly renewTime?: SimSeconds;
  readonly leaseTransitions?: number;
}

export interface Lease extends Envelope<'Lease', 'coordination.k8s.io/v1'> {
  readonly spec: LeaseSpec;
}

// ───────────────────────────── autoscaling/v2 ─────────────────────────────

export interface CrossVersionObjectReference {
  readonly kind: string;
  readonly name: string;
  readonly apiVersion?: string;
}

export interface MetricTarget {
  readonly type: 'Utilization' | 'Value' | 'AverageValue';
  readonly averageUtilization?: number;
  readonly averageValue?: string;
  readonly value?: string;
}

export interface ResourceMetricSource {
  readonly name: string;
  readonly target: MetricTarget;
}

/** Only Resource metrics are simulated (the load model drives cpu). */
export interface MetricSpec {
  readonly type: 'Resource';
  readonly resource?: ResourceMetricSource;
}

export interface HPAScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  readonly value: number;
  readonly periodSeconds: number;
}

export interface HPAScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  readonly policies?: readonly HPAScalingPolicy[];
  readonly tolerance?: string;
}

export interface HorizontalPodAutoscalerBehavior {
  readonly scaleUp?: HPAScalingRules;
  readonly scaleDown?: HPAScalingRules;
}

export interface HorizontalPodAutoscalerSpec {
  readonly scaleTargetRef: CrossVersionObjectReference;
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly metrics?: readonly MetricSpec[];
  readonly behavior?: HorizontalPodAutoscalerBehavior;
}

export interface MetricStatus {
  readonly type: 'Resource';
  readonly resource?: {
    readonly name: string;
    readonly current: { readonly averageUtilization?: number; readonly averageValue?: string; readonly value?: string };
  };
}

export type HPAConditionType = 'ScalingActive' | 'AbleToScale' | 'ScalingLimited';

export interface HorizontalPodAutoscalerStatus {
  readonly observedGeneration?: number;
  readonly lastScaleTime?: SimSeconds;
  readonly currentReplicas?: number;
  readonly desiredReplicas: number;
  readonly currentMetrics?: readonly MetricStatus[];
  readonly conditions?: readonly Condition<HPAConditionType>[];
}

export interface HorizontalPodAutoscaler extends Envelope<'HorizontalPodAutoscaler', 'autoscaling/v2'> {
  readonly spec: HorizontalPodAutoscalerSpec;
  readonly status?: HorizontalPodAutoscalerStatus;
}

// ───────────────────────────── rbac.authorization.k8s.io/v1 ─────────────────────────────

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

export interface Subject {
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  readonly name: string;
  /** Required for ServiceAccount subjects. */
  readonly namespace?: string;
  readonly apiGroup?: string;
}

export interface RoleRef {
  readonly apiGroup: string;
  readonly kind: 'Role' | 'ClusterRole';
  readonly name: string;
}

export interface Role extends Envelope<'Role', 'rbac.authorization.k8s.io/v1'> {
  readonly rules?: readonly PolicyRule[];
}

export interface ClusterRole extends Envelope<'ClusterRole', 'rbac.authorization.k8s.io/v1'> {
  readonly rules?: readonly PolicyRule[];
}

export interface RoleBinding extends Envelope<'RoleBinding', 'rbac.authorization.k8s.io/v1'> {
  readonly subjects?: readonly Subject[];
  readonly roleRef: RoleRef;
}

export interface ClusterRoleBinding extends Envelope<'ClusterRoleBinding', 'rbac.authorization.k8s.io/v1'> {
  readonly subjects?: readonly Subject[];
  readonly roleRef: RoleRef;
}

// ───────────────────────────── scheduling.k8s.io/v1 ─────────────────────────────

export interface PriorityClass extends Envelope<'PriorityClass', 'scheduling.k8s.io/v1'> {
  readonly value: number;
  readonly globalDefault?: boolean;
  readonly description?: string;
  readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
}

// ───────────────────────────── the union ─────────────────────────────

/** Every object the API server stores, discriminated on `kind`. */
export type KubeObject =
  | Namespace
  | Node
  | Pod
  | ReplicaSet
  | Deployment
  | Lease
  | HorizontalPodAutoscaler
  | LimitRange
  | ResourceQuota
  | ServiceAccount
  | Role
  | RoleBinding
  | ClusterRole
  | ClusterRoleBinding
  | PriorityClass;

export type Kind = KubeObject['kind'];

/** The object type for a given kind: `ObjectOfKind<'Pod'>` is `Pod`. */
export type ObjectOfKind<K extends Kind> = Extract<KubeObject, { readonly kind: K }>;
