// Public surface of the local ECS emulator (see README.md).

export { EcsEmulator, type ApiCallInfo, type ApiMiddleware, type EcsEmulatorOptions } from "./emulator";
export { VirtualClock, ScaledClock, type Clock, type Timer } from "./clock";
export { DEFAULT_TIMING, type Timing } from "./timing";
export { DEFAULT_FAULTS, type FaultConfig, type FaultCounts } from "./faults";
export { THROTTLE_CATEGORIES, type ThrottleCategory } from "./throttling";
export type { ChurnSettings } from "./churn";
export { causeChain, type Cause, type RootCause } from "./causes";
export {
    CONTAINER_INSTANCE_STATE_CHANGE,
    DEPLOYMENT_STATE_CHANGE,
    SERVICE_ACTION,
    TASK_STATE_CHANGE,
    type EcsEvent,
    type EventListener,
    type TaskChange,
    type TaskChangeListener,
} from "./events";
export type { CapacityProviderView, ClusterSnapshot, CreateClusterOptions, EmulatorControl, RegisterInstanceInput, TaskView } from "./control";
export type { AutoScalingGroupInput, CapacityProviderInput, ManagedScalingSettings } from "./autoScalingGroups";
export type { ApiResponse, CallerIdentity, RawRequest } from "./protocol";
export { ECS_PROFILES, ECS_PROFILE_NAMES, DEFAULT_ECS_PROFILE, ecsProfile, isEcsProfileName } from "./profiles/profiles";
export type { EcsProfile, EcsProfileName } from "./profiles/profile";
