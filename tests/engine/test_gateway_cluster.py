"""Topology and the standard gRPC health service, as Zeebe's gateway answers them."""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pyzeebe import ZeebeClient, create_insecure_channel
from pyzeebe.grpc_internals.types import HealthCheckResponse
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


async def test_topology_describes_one_healthy_leader(engine: EngineHandle, gateway: GatewayStub) -> None:
    topology = await gateway.Topology(pb.TopologyRequest())
    host, port = engine.address.rsplit(":", 1)
    assert (topology.clusterSize, topology.partitionsCount, topology.replicationFactor) == (1, 1, 1), (
        f"expected a one-broker, one-partition cluster, got {topology}"
    )
    assert topology.gatewayVersion, "the topology must name the gateway version"
    assert len(topology.brokers) == 1, f"expected exactly one broker, got {list(topology.brokers)}"
    broker = topology.brokers[0]
    assert (broker.nodeId, broker.host, broker.port) == (0, host, int(port)), (
        f"the broker must be node 0 at the gateway's own address {engine.address}, got {broker}"
    )
    assert broker.version, "the broker must state its version"
    assert [(p.partitionId, p.role, p.health) for p in broker.partitions] == [
        (1, pb.Partition.PartitionBrokerRole.LEADER, pb.Partition.PartitionBrokerHealth.HEALTHY)
    ], f"expected partition 1 led and healthy, got {list(broker.partitions)}"


async def test_pyzeebe_topology_reads_the_same_fields(client: ZeebeClient) -> None:
    topology = await client.topology()
    assert topology.cluster_size == 1 and topology.partitions_count == 1, f"unexpected topology {topology}"
    assert topology.brokers[0].partitions[0].partition_id == 1, f"unexpected partitions {topology.brokers}"


async def test_health_service_reports_the_gateway_serving(engine: EngineHandle, client: ZeebeClient) -> None:
    answer = await client.healthcheck()
    assert answer.status == HealthCheckResponse.ServingStatus.SERVING, (
        f"pyzeebe's healthcheck must see gateway_protocol.Gateway SERVING, got {answer.status!r}"
    )
    channel = create_insecure_channel(engine.address)
    try:
        health = health_pb2_grpc.HealthStub(channel)
        direct = await health.Check(health_pb2.HealthCheckRequest(service="gateway_protocol.Gateway"))
        assert direct.status == health_pb2.HealthCheckResponse.SERVING, (
            f"grpc.health.v1 Check(gateway_protocol.Gateway) must be SERVING, got {direct.status}"
        )
        try:
            unknown = await health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
        except grpc.aio.AioRpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND, (
                f"an unknown service must be NOT_FOUND in the health service, got {error.code().name}"
            )
        else:
            raise AssertionError(f"an unknown service must be NOT_FOUND in the health service, got {unknown}")
    finally:
        await channel.close()
