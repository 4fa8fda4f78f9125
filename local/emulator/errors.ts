// ECS error responses: `__type` names and messages as ECS sends them (HTTP 400, ServerException 500).

export class EcsError extends Error {
    constructor(
        readonly type: string,
        message: string,
        readonly status: number = 400,
    ) {
        super(message);
        this.name = type;
    }
}

export const invalidParameter = (message: string) => new EcsError("InvalidParameterException", message);
export const clientException = (message: string) => new EcsError("ClientException", message);
export const clusterNotFound = () => new EcsError("ClusterNotFoundException", "Cluster not found.");
export const serviceNotFound = () => new EcsError("ServiceNotFoundException", "Service not found.");
export const serviceNotActive = () => new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");
export const taskDefinitionNotFound = () => clientException("TaskDefinition not found.");
export const serverException = () => new EcsError("ServerException", "Service Unavailable. Please try again later.", 500);
export const throttling = () => new EcsError("ThrottlingException", "Rate exceeded");
export const resourceNotFound = (message: string) => new EcsError("ResourceNotFoundException", message);
