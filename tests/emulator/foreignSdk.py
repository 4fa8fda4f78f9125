"""boto3 against the emulator (tests/emulator/foreignSdk.test.ts): the endpoint and dummy credentials come from the
environment the test gives (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...). Prints one JSON object with what each call
answered; the test asserts on it. The test registers the cluster's instances (as their agents would) once the
cluster exists."""

import json
import sys
import time

import boto3
from botocore.exceptions import ClientError

CLUSTER = "boto"


def wait_until(check, what, timeout=20.0):
    """Polls (the emulator's clock runs fast) until check() is true."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def main():
    ecs = boto3.client("ecs")
    out = {}
    out["cluster"] = ecs.create_cluster(clusterName=CLUSTER)["cluster"]["status"]
    td = ecs.register_task_definition(
        family="worker",
        networkMode="bridge",
        containerDefinitions=[{"name": "worker", "image": "example/worker:1", "cpu": 128, "memory": 128, "essential": True}],
    )["taskDefinition"]
    out["taskDefinition"] = td["taskDefinitionArn"]
    service = ecs.create_service(
        cluster=CLUSTER,
        serviceName="worker",
        taskDefinition="worker",
        desiredCount=2,
        deploymentConfiguration={"strategy": "LINEAR", "linearConfiguration": {"stepPercent": 50.0}, "bakeTimeInMinutes": 0},
    )["service"]
    out["createdStrategy"] = service["deploymentConfiguration"]["strategy"]

    def running(n):
        return ecs.describe_services(cluster=CLUSTER, services=["worker"])["services"][0]["runningCount"] == n

    wait_until(lambda: running(2), "2 running tasks")
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName="worker")["taskArns"]
    tasks = ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]
    out["tasks"] = sorted({t["lastStatus"] + " " + t["group"] for t in tasks})
    instances = ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]
    described = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=instances)["containerInstances"]
    out["instances"] = [(i["ec2InstanceId"], i["runningTasksCount"]) for i in described]
    ecs.update_service(cluster=CLUSTER, service="worker", desiredCount=3)
    wait_until(lambda: running(3), "3 running tasks")
    service_arn = ecs.describe_services(cluster=CLUSTER, services=["worker"])["services"][0]["serviceArn"]
    ecs.tag_resource(resourceArn=service_arn, tags=[{"key": "team", "value": "python"}, {"key": "tmp", "value": "x"}])
    ecs.untag_resource(resourceArn=service_arn, tagKeys=["tmp"])
    out["tags"] = ecs.list_tags_for_resource(resourceArn=service_arn)["tags"]
    stopped = ecs.stop_task(cluster=CLUSTER, task=arns[0], reason="boto3 says stop")["task"]
    out["stopped"] = [stopped["desiredStatus"], stopped.get("stoppedReason")]
    wait_until(lambda: running(3), "the stopped task replaced")
    try:
        providers = ecs.describe_capacity_providers()["capacityProviders"]
        out["capacityProviders"] = {"names": sorted(p["name"] for p in providers)}
    except ClientError as e:
        out["capacityProviders"] = {"error": e.response["Error"]["Code"]}
    try:
        ecs.create_service(cluster=CLUSTER, serviceName="bad", taskDefinition="worker", desiredCount=1,
                           deploymentConfiguration={"strategy": "BLUE_GREEN"})
        out["validation"] = "accepted"
    except ClientError as e:
        out["validation"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
