/**
 * Structural schemas of the served kinds: which fields exist and what JSON type each holds.
 *
 * The decoder (decode.ts) walks a parsed manifest against these to reject unknown fields by path
 * (as `kubectl apply --validate=strict` does) and wrong JSON types, before semantic validation
 * (validation.ts) runs. Only structure lives here; ranges, formats and cross-field rules are
 * validation's job. Status is schema-less (`any`): the API server resets it on create.
 */
import type { Kind } from './types.js';

export type Schema =
  | { readonly t: 'string' }
  | { readonly t: 'int' }
  | { readonly t: 'number' }
  | { readonly t: 'bool' }
  /** A quantity: a string, or a YAML number that is turned into its string form. */
  | { readonly t: 'quantity' }
  | { readonly t: 'intOrString' }
  /** Simulated seconds; `null` (as kubectl writes `creationTimestamp: null`) is dropped. */
  | { readonly t: 'time' }
  /** `required`: fields that must be present (the API types them as non-optional). */
  | { readonly t: 'object'; readonly fields: Readonly<Record<string, Schema>>; readonly required?: readonly string[] }
  | { readonly t: 'array'; readonly of: Schema }
  | { readonly t: 'map'; readonly of: Schema }
  | { readonly t: 'any' };

const str: Schema = { t: 'string' };
const int: Schema = { t: 'int' };
const bool: Schema = { t: 'bool' };
const qty: Schema = { t: 'quantity' };
const ios: Schema = { t: 'intOrString' };
const time: Schema = { t: 'time' };
const any: Schema = { t: 'any' };
const obj = (fields: Record<string, Schema>, required?: readonly string[]): Schema =>
  required === undefined ? { t: 'object', fields } : { t: 'object', fields, required };
const arr = (of: Schema): Schema => ({ t: 'array', of });
const map = (of: Schema): Schema => ({ t: 'map', of });
const strs = arr(str);
const strMap = map(str);
const resourceList = map(qty);

const ownerReference = obj({ apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool }, ['apiVersion', 'kind', 'name', 'uid']);

export const objectMetaSchema: Schema = obj({
  name: str, generateName: str, namespace: str, uid: str, resourceVersion: str, generation: int,
  labels: strMap, annotations: strMap, ownerReferences: arr(ownerReference),
  creationTimestamp: time, deletionTimestamp: time, deletionGracePeriodSeconds: int, finalizers: strs,
  // Server-populated bookkeeping that `kubectl get -o yaml` output carries; accepted and kept.
  managedFields: any, selfLink: str,
});

const labelSelector = obj({
  matchLabels: strMap,
  matchExpressions: arr(obj({ key: str, operator: str, values: strs }, ['key', 'operator'])),
});

const nodeSelectorRequirement = obj({ key: str, operator: str, values: strs }, ['key', 'operator']);
const nodeSelectorTerm = obj({ matchExpressions: arr(nodeSelectorRequirement), matchFields: arr(nodeSelectorRequirement) });
const podAffinityTerm = obj({
  labelSelector, namespaces: strs, namespaceSelector: labelSelector, topologyKey: str, matchLabelKeys: strs, mismatchLabelKeys: strs,
}, ['topologyKey']);
const podAffinity = obj({
  requiredDuringSchedulingIgnoredDuringExecution: arr(podAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int, podAffinityTerm }, ['weight', 'podAffinityTerm'])),
});
const affinity = obj({
  nodeAffinity: obj({
    requiredDuringSchedulingIgnoredDuringExecution: obj({ nodeSelectorTerms: arr(nodeSelectorTerm) }, ['nodeSelectorTerms']),
    preferredDuringSchedulingIgnoredDuringExecution: arr(obj({ weight: int, preference: nodeSelectorTerm }, ['weight', 'preference'])),
  }),
  podAffinity,
  podAntiAffinity: podAffinity,
});

const probe = obj({
  httpGet: obj({ path: str, port: ios, host: str, scheme: str, httpHeaders: any }, ['port']),
  tcpSocket: obj({ port: ios, host: str }, ['port']),
  exec: obj({ command: strs }),
  grpc: obj({ port: int, service: str }, ['port']),
  initialDelaySeconds: int, timeoutSeconds: int, periodSeconds: int, successThreshold: int, failureThreshold: int,
  terminationGracePeriodSeconds: int,
});

const container = obj({
  name: str, image: str, imagePullPolicy: str, command: strs, args: strs, workingDir: str,
  ports: arr(obj({ name: str, containerPort: int, hostPort: int, protocol: str, hostIP: str }, ['containerPort'])),
  env: arr(obj({ name: str, value: str, valueFrom: any }, ['name'])),
  envFrom: any, volumeMounts: any, securityContext: any, lifecycle: any, stdin: bool, tty: bool,
  resources: obj({ requests: resourceList, limits: resourceList }),
  readinessProbe: probe, livenessProbe: probe, startupProbe: probe,
  terminationMessagePath: str, terminationMessagePolicy: str,
}, ['name']);

const toleration = obj({ key: str, operator: str, value: str, effect: str, tolerationSeconds: int });

export const podSpecSchema: Schema = obj({
  containers: arr(container), initContainers: arr(container),
  nodeName: str, nodeSelector: strMap, affinity, tolerations: arr(toleration),
  topologySpreadConstraints: arr(obj({
    maxSkew: int, topologyKey: str, whenUnsatisfiable: str, labelSelector, minDomains: int,
    nodeAffinityPolicy: str, nodeTaintsPolicy: str, matchLabelKeys: strs,
  }, ['maxSkew', 'topologyKey', 'whenUnsatisfiable'])),
  priority: int, priorityClassName: str, preemptionPolicy: str, schedulerName: str, restartPolicy: str,
  terminationGracePeriodSeconds: int, activeDeadlineSeconds: int, serviceAccountName: str, serviceAccount: str,
  automountServiceAccountToken: bool, hostNetwork: bool, dnsPolicy: str, enableServiceLinks: bool,
  securityContext: any, imagePullSecrets: arr(obj({ name: str })), volumes: any, hostname: str, subdomain: str,
}, ['containers']);

const podTemplate = obj({ metadata: objectMetaSchema, spec: podSpecSchema }, ['spec']);

const taint = obj({ key: str, value: str, effect: str, timeAdded: time }, ['key', 'effect']);
const policyRule = obj({ verbs: strs, apiGroups: strs, resources: strs, resourceNames: strs, nonResourceURLs: strs }, ['verbs']);
const subject = obj({ kind: str, name: str, namespace: str, apiGroup: str }, ['kind', 'name']);
const roleRef = obj({ apiGroup: str, kind: str, name: str }, ['apiGroup', 'kind', 'name']);
const scalingRules = obj({
  stabilizationWindowSeconds: int, selectPolicy: str, tolerance: qty,
  policies: arr(obj({ type: str, value: int, periodSeconds: int }, ['type', 'value', 'periodSeconds'])),
});

const envelope = (fields: Record<string, Schema>, required: readonly string[] = []): Schema =>
  obj({ apiVersion: str, kind: str, metadata: objectMetaSchema, ...fields }, ['apiVersion', 'kind', 'metadata', ...required]);

/** Top-level schema of each kind. */
export const KIND_SCHEMAS: Readonly<Record<Kind, Schema>> = {
  Namespace: envelope({ spec: obj({ finalizers: strs }), status: any }),
  Node: envelope({ spec: obj({ unschedulable: bool, taints: arr(taint), providerID: str, podCIDR: str, podCIDRs: strs }), status: any }),
  Pod: envelope({ spec: podSpecSchema, status: any }, ['spec']),
  ReplicaSet: envelope({ spec: obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplate }, ['selector', 'template']), status: any }, ['spec']),
  Deployment: envelope({
    spec: obj({
      replicas: int, selector: labelSelector, template: podTemplate,
      strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: ios, maxSurge: ios }) }),
      minReadySeconds: int, revisionHistoryLimit: int, paused: bool, progressDeadlineSeconds: int,
    }, ['selector', 'template']),
    status: any,
  }, ['spec']),
  Lease: envelope({
    spec: obj({ holderIdentity: str, leaseDurationSeconds: int, acquireTime: time, renewTime: time, leaseTransitions: int, strategy: str, preferredHolder: str }),
  }, ['spec']),
  HorizontalPodAutoscaler: envelope({
    spec: obj({
      scaleTargetRef: obj({ kind: str, name: str, apiVersion: str }, ['kind', 'name']),
      minReplicas: int, maxReplicas: int,
      metrics: arr(obj({
        type: str,
        resource: obj({ name: str, target: obj({ type: str, averageUtilization: int, averageValue: qty, value: qty }, ['type']) }, ['name', 'target']),
      }, ['type'])),
      behavior: obj({ scaleUp: scalingRules, scaleDown: scalingRules }),
    }, ['scaleTargetRef', 'maxReplicas']),
    status: any,
  }, ['spec']),
  LimitRange: envelope({
    spec: obj({
      limits: arr(obj({ type: str, max: resourceList, min: resourceList, default: resourceList, defaultRequest: resourceList, maxLimitRequestRatio: resourceList }, ['type'])),
    }, ['limits']),
  }, ['spec']),
  ResourceQuota: envelope({ spec: obj({ hard: resourceList, scopes: strs, scopeSelector: any }), status: obj({ hard: resourceList, used: resourceList }) }, ['spec']),
  ServiceAccount: envelope({ automountServiceAccountToken: bool, secrets: arr(obj({ name: str })), imagePullSecrets: arr(obj({ name: str })) }),
  Role: envelope({ rules: arr(policyRule) }),
  ClusterRole: envelope({ rules: arr(policyRule), aggregationRule: any }),
  RoleBinding: envelope({ subjects: arr(subject), roleRef }, ['roleRef']),
  ClusterRoleBinding: envelope({ subjects: arr(subject), roleRef }, ['roleRef']),
  PriorityClass: envelope({ value: int, globalDefault: bool, description: str, preemptionPolicy: str }, ['value']),
};
