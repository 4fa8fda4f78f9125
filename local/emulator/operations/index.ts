// The operation table: X-Amz-Target operation name → handler, per service.

import { describeScalableTargets } from "./autoScaling";
import { describeCapacityProviders } from "./capacityProviders";
import { createCluster, deleteCluster, describeClusters, listClusters } from "./clusters";
import type { Operation } from "./common";
import {
    deregisterContainerInstance,
    describeContainerInstances,
    listContainerInstances,
    registerContainerInstance,
    updateContainerInstancesState,
} from "./containerInstances";
import { createService, deleteService, describeServices, listServices, updateService } from "./services";
import { listTagsForResource, tagResource, untagResource } from "./tags";
import { deregisterTaskDefinition, describeTaskDefinition, listTaskDefinitionFamilies, listTaskDefinitions, registerTaskDefinition } from "./taskDefinitions";
import { getTaskProtection, updateTaskProtection } from "./taskProtection";
import { describeTasks, listTasks, runTask, stopTask } from "./tasks";

export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";
export const AUTOSCALING_TARGET_PREFIX = "AnyScaleFrontendService";

export const ECS_OPERATIONS: Readonly<Record<string, Operation>> = {
    CreateCluster: createCluster,
    DescribeClusters: describeClusters,
    ListClusters: listClusters,
    DeleteCluster: deleteCluster,
    RegisterContainerInstance: registerContainerInstance,
    DeregisterContainerInstance: deregisterContainerInstance,
    UpdateContainerInstancesState: updateContainerInstancesState,
    ListContainerInstances: listContainerInstances,
    DescribeContainerInstances: describeContainerInstances,
    RegisterTaskDefinition: registerTaskDefinition,
    DescribeTaskDefinition: describeTaskDefinition,
    DeregisterTaskDefinition: deregisterTaskDefinition,
    ListTaskDefinitions: listTaskDefinitions,
    ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
    CreateService: createService,
    UpdateService: updateService,
    DeleteService: deleteService,
    ListServices: listServices,
    DescribeServices: describeServices,
    ListTasks: listTasks,
    DescribeTasks: describeTasks,
    StopTask: stopTask,
    RunTask: runTask,
    TagResource: tagResource,
    UntagResource: untagResource,
    ListTagsForResource: listTagsForResource,
    GetTaskProtection: getTaskProtection,
    UpdateTaskProtection: updateTaskProtection,
    DescribeCapacityProviders: describeCapacityProviders,
};

export const AUTOSCALING_OPERATIONS: Readonly<Record<string, Operation>> = {
    DescribeScalableTargets: describeScalableTargets,
};
