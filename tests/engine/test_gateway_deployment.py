"""DeployResource: BPMN and form files, versions, all-or-nothing, and the reasons for refusal."""

from __future__ import annotations

import grpc
import pytest
from diagrams import Diagram, create, form, one_task, rejected
from pyzeebe import ZeebeClient
from pyzeebe.errors import ProcessInvalidError
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub


def resource(name: str, text: str) -> pb.Resource:
    return pb.Resource(name=name, content=text.encode())


async def deploy(gateway: GatewayStub, *resources: tuple[str, str]) -> pb.DeployResourceResponse:
    return await gateway.DeployResource(
        pb.DeployResourceRequest(resources=[resource(name, text) for name, text in resources])
    )


def processes(response: pb.DeployResourceResponse) -> dict[str, pb.ProcessMetadata]:
    return {d.process.bpmnProcessId: d.process for d in response.deployments if d.HasField("process")}


def forms(response: pb.DeployResourceResponse) -> dict[str, pb.FormMetadata]:
    return {d.form.formId: d.form for d in response.deployments if d.HasField("form")}


async def test_a_bpmn_and_a_form_deploy_together(gateway: GatewayStub) -> None:
    answer = await deploy(gateway, one_task("order", "pack").file(), ("order-form.form", form("order-form")))
    assert answer.key > 0, "a deployment must have a key"
    process = processes(answer).get("order")
    assert process is not None, f"the deployment must list process 'order', got {answer.deployments}"
    assert (process.version, process.resourceName) == (1, "order.bpmn"), f"unexpected metadata {process}"
    assert process.processDefinitionKey > 0, "the process definition needs a key"
    deployed_form = forms(answer).get("order-form")
    assert deployed_form is not None, f"the deployment must list form 'order-form', got {answer.deployments}"
    assert (deployed_form.version, deployed_form.resourceName) == (1, "order-form.form")
    assert deployed_form.formKey > 0, "the form needs a key"


async def test_the_same_bytes_again_keep_version_and_key(gateway: GatewayStub) -> None:
    diagram = one_task("same", "work").file()
    first = processes(await deploy(gateway, diagram, ("f.form", form("f"))))
    again = await deploy(gateway, diagram, ("f.form", form("f")))
    second = processes(again)
    assert (second["same"].version, second["same"].processDefinitionKey) == (
        1,
        first["same"].processDefinitionKey,
    ), f"redeploying identical bytes must give version 1 and the same key back, got {second['same']}"
    assert forms(again)["f"].version == 1, f"an identical form must keep version 1, got {forms(again)['f']}"


async def test_a_changed_file_gets_the_next_version(gateway: GatewayStub, client: ZeebeClient) -> None:
    v1 = processes(await deploy(gateway, one_task("evolving", "old-work").file()))["evolving"]
    v2 = processes(await deploy(gateway, one_task("evolving", "new-work").file()))["evolving"]
    assert v2.version == 2, f"a changed file must become version 2, got {v2.version}"
    assert v2.processDefinitionKey != v1.processDefinitionKey, "a new version needs a new definition key"
    f1 = forms(await deploy(gateway, ("f.form", form("f", "Name"))))["f"]
    f2 = forms(await deploy(gateway, ("f.form", form("f", "Full name"))))["f"]
    assert (f1.version, f2.version) == (1, 2), (
        f"a changed form must get version 2, got {f1.version}, {f2.version}"
    )
    created = await client.run_process("evolving")
    assert created.process_definition_key == v2.processDefinitionKey, (
        "an instance started by process id must use the latest version"
    )


async def test_several_resources_in_one_deployment(gateway: GatewayStub) -> None:
    answer = await deploy(
        gateway,
        one_task("first", "a").file(),
        one_task("second", "b").file(),
        ("third.form", form("third")),
    )
    assert sorted(processes(answer)) == ["first", "second"], f"both processes must deploy, got {answer}"
    assert list(forms(answer)) == ["third"], f"the form must deploy, got {answer}"
    await create(gateway, "first")
    await create(gateway, "second")


async def test_one_invalid_file_refuses_the_whole_deployment(gateway: GatewayStub) -> None:
    broken = Diagram("broken").start().task("NoTypeTask", None).end().chain("start", "NoTypeTask", "end")
    details = await rejected(
        deploy(gateway, one_task("valid", "work").file(), broken.file()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "a deployment with one invalid file",
    )
    assert "broken.bpmn" in details, f"the refusal must name the invalid file: {details}"
    await rejected(
        create(gateway, "valid"),
        grpc.StatusCode.NOT_FOUND,
        "the valid process of a refused deployment must not have been stored",
    )


async def test_pyzeebe_reports_an_invalid_process(deploy, client: ZeebeClient) -> None:
    broken = Diagram("broken").start().task("NoTypeTask", None).end().chain("start", "NoTypeTask", "end")
    with pytest.raises(ProcessInvalidError) as raised:
        await deploy(broken.file())
    cause = raised.value.__cause__
    assert isinstance(cause, grpc.aio.AioRpcError), f"expected a gRPC error beneath, got {cause!r}"
    assert cause.code() == grpc.StatusCode.INVALID_ARGUMENT, f"got {cause.code().name}"


INVALID = {
    "service task without a job type": (
        Diagram("no-type").start().task("UntypedTask", None).end().chain("start", "UntypedTask", "end"),
        "UntypedTask",
        ["job type"],
    ),
    "condition that does not parse": (
        Diagram("bad-condition")
        .start()
        .exclusive("choose", default="otherwise")
        .end("a")
        .end("b")
        .chain("start", "choose")
        .flow("choose", "a", "=amount >", id="BrokenConditionFlow")
        .flow("choose", "b", id="otherwise"),
        "BrokenConditionFlow",
        ["FEEL"],
    ),
    "flow to an unknown element": (
        Diagram("dangling")
        .start()
        .end()
        .chain("start", "end")
        .flow("start", "NowhereEvent", id="DanglingFlow"),
        "DanglingFlow",
        ["NowhereEvent"],
    ),
    "process without a start event": (
        Diagram("startless").task("LonelyTask", "work").end().chain("LonelyTask", "end"),
        "startless",
        ["start event"],
    ),
}


@pytest.mark.parametrize("case", list(INVALID))
async def test_an_invalid_diagram_is_refused_naming_file_element_and_problem(
    gateway: GatewayStub, case: str
) -> None:
    diagram, element_id, problem_words = INVALID[case]
    details = await rejected(
        deploy(gateway, diagram.file()), grpc.StatusCode.INVALID_ARGUMENT, f"deploying a {case}"
    )
    file_name = diagram.file()[0]
    assert file_name in details, f"the refusal of a {case} must name the file {file_name}: {details}"
    assert element_id in details, f"the refusal of a {case} must name element '{element_id}': {details}"
    for word in problem_words:
        assert word.lower() in details.lower(), f"the refusal of a {case} must say '{word}': {details}"
    await rejected(
        create(gateway, diagram.process_id),
        grpc.StatusCode.NOT_FOUND,
        f"the refused {case} must not be stored",
    )


async def test_an_unknown_file_type_is_refused(gateway: GatewayStub) -> None:
    details = await rejected(
        deploy(gateway, ("notes.txt", "just some text"), one_task("with-notes", "work").file()),
        grpc.StatusCode.INVALID_ARGUMENT,
        "deploying a .txt file",
    )
    assert "notes.txt" in details, f"the refusal must name the file of unknown type: {details}"
    await rejected(
        create(gateway, "with-notes"),
        grpc.StatusCode.NOT_FOUND,
        "the process deployed next to a refused file must not be stored",
    )


async def test_an_invalid_form_is_refused(gateway: GatewayStub) -> None:
    details = await rejected(
        deploy(gateway, ("broken.form", "{not json")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "deploying a broken form",
    )
    assert "broken.form" in details, f"the refusal must name the form file: {details}"


async def test_an_empty_deployment_is_refused(gateway: GatewayStub) -> None:
    await rejected(deploy(gateway), grpc.StatusCode.INVALID_ARGUMENT, "deploying no resources")
