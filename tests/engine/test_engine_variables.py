"""Variables exactly as Zeebe scopes them: input and output mappings, propagation on completion,
nested target paths, and SetVariables (local or propagating)."""

from __future__ import annotations

import json

import grpc
from diagrams import activate_one, complete, create, one_task, rejected, variables_of
from pyzeebe.proto import gateway_pb2 as pb
from pyzeebe.proto.gateway_pb2_grpc import GatewayStub

from engine.testing.handle import EngineHandle


async def set_variables(gateway: GatewayStub, key: int, variables: dict, local: bool) -> int:
    answer = await gateway.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=key, variables=json.dumps(variables), local=local)
    )
    return int(answer.key)


async def reactivate(gateway: GatewayStub, job: pb.ActivatedJob) -> pb.ActivatedJob:
    """Hand the job back (FailJob with retries) and activate it again, to see its variables now."""
    await gateway.FailJob(pb.FailJobRequest(jobKey=job.key, retries=job.retries))
    return await activate_one(gateway, job.type)


async def test_input_mappings_create_local_variables(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = one_task("inputs", "in-work", inputs=[("=citizen.name", "name"), ('=name + "!"', "shout")])
    await deploy(diagram.file())
    instance = await create(gateway, "inputs", {"citizen": {"name": "赵"}})
    job = await activate_one(gateway, "in-work")
    assert variables_of(job) == {"citizen": {"name": "赵"}, "name": "赵", "shout": "赵!"}, (
        f"input mappings must be visible to the job, each seeing the ones before it; got {variables_of(job)}"
    )
    assert "name" not in engine.instance(instance).variables, (
        "input mappings must not create process variables"
    )
    await complete(gateway, job.key)
    view = await engine.is_completed(instance)
    assert view.variables == {"citizen": {"name": "赵"}}, (
        f"input-mapped variables are local to the task and must not reach the process, got {view.variables}"
    )


async def test_input_mapping_to_a_nested_target(gateway: GatewayStub, deploy) -> None:
    await deploy(
        one_task(
            "nested-in", "nested-in-work", inputs=[("=id", "request.id"), ('="x"', "request.kind")]
        ).file()
    )
    await create(gateway, "nested-in", {"id": 7})
    job = await activate_one(gateway, "nested-in-work", fetch=["request"])
    assert variables_of(job) == {"request": {"id": 7, "kind": "x"}}, (
        f"inputs targeting request.id and request.kind must build one context, got {variables_of(job)}"
    )


async def test_without_output_mappings_completion_variables_reach_the_process(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("plain", "plain-work").file())
    instance = await create(gateway, "plain", {"status": "new", "keep": 1})
    job = await activate_one(gateway, "plain-work")
    await complete(gateway, job.key, {"status": "classified", "category": "traffic"})
    view = await engine.is_completed(instance)
    assert view.variables == {"status": "classified", "keep": 1, "category": "traffic"}, (
        f"completion variables must update and create root variables, got {view.variables}"
    )


async def test_completion_variables_go_to_the_nearest_scope_that_has_the_name(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("nearest", "nearest-work", inputs=[('="draft"', "status")]).file())
    instance = await create(gateway, "nearest", {"status": "new"})
    job = await activate_one(gateway, "nearest-work")
    await complete(gateway, job.key, {"status": "done", "result": 1})
    view = await engine.is_completed(instance)
    assert view.variables == {"status": "new", "result": 1}, (
        "'status' exists locally at the task (input mapping) so the completion updates that local "
        "variable and the process keeps 'new'; 'result' exists nowhere so it goes to the root. "
        f"Got {view.variables}"
    )


async def test_with_output_mappings_only_their_results_are_merged(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    diagram = one_task(
        "outputs", "out-work", outputs=[("=score * 2", "doubled"), ("=doubled + 1", "plusOne")]
    )
    await deploy(diagram.file())
    instance = await create(gateway, "outputs", {"before": True})
    job = await activate_one(gateway, "out-work")
    await complete(gateway, job.key, {"score": 5, "junk": "x"})
    view = await engine.is_completed(instance)
    assert view.variables == {"before": True, "doubled": 10, "plusOne": 11}, (
        f"with output mappings only their results may reach the process, got {view.variables}"
    )


async def test_output_mapping_to_a_nested_target_merges_into_the_existing_context(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("nested-out", "nested-out-work", outputs=[("=city", "address.city")]).file())
    instance = await create(gateway, "nested-out", {"address": {"street": "长安街"}})
    job = await activate_one(gateway, "nested-out-work")
    await complete(gateway, job.key, {"city": "北京"})
    view = await engine.is_completed(instance)
    assert view.variables == {"address": {"street": "长安街", "city": "北京"}}, (
        f"output target address.city must be merged into the existing 'address', got {view.variables}"
    )


async def test_output_mappings_see_local_inputs(engine: EngineHandle, gateway: GatewayStub, deploy) -> None:
    diagram = one_task(
        "in-out", "in-out-work", inputs=[("=base * 10", "local")], outputs=[("=local + added", "total")]
    )
    await deploy(diagram.file())
    instance = await create(gateway, "in-out", {"base": 2})
    job = await activate_one(gateway, "in-out-work")
    await complete(gateway, job.key, {"added": 3})
    view = await engine.is_completed(instance)
    assert view.variables == {"base": 2, "total": 23}, (
        f"output mappings see the task's local inputs and the job's variables, got {view.variables}"
    )


async def test_set_variables_local_on_the_task_stays_in_the_task(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("set-local", "set-local-work").file())
    instance = await create(gateway, "set-local", {"root": 1})
    job = await activate_one(gateway, "set-local-work")
    key = await set_variables(gateway, job.elementInstanceKey, {"note": "local only"}, local=True)
    assert key > 0, "SetVariables must answer with the key of the command"
    again = await reactivate(gateway, job)
    assert variables_of(again) == {"root": 1, "note": "local only"}, (
        f"a local variable of the task must be visible to its job, got {variables_of(again)}"
    )
    assert "note" not in engine.instance(instance).variables, (
        "a local SetVariables must not reach the process"
    )
    await complete(gateway, again.key)
    view = await engine.is_completed(instance)
    assert view.variables == {"root": 1}, (
        f"the task's local variable must vanish with it, got {view.variables}"
    )


async def test_set_variables_on_the_task_propagates_to_the_process(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("set-prop", "set-prop-work", inputs=[('="inner"', "shadow")]).file())
    instance = await create(gateway, "set-prop", {"shadow": "outer"})
    job = await activate_one(gateway, "set-prop-work")
    await set_variables(gateway, job.elementInstanceKey, {"fresh": 1, "shadow": "changed"}, local=False)
    await engine.has_variable(instance, "fresh", 1)
    view = engine.instance(instance)
    assert view.variables["shadow"] == "outer", (
        "'shadow' exists locally at the task, so a propagating SetVariables must update the task's "
        f"variable, not the process's; the process has {view.variables}"
    )
    again = await reactivate(gateway, job)
    assert variables_of(again)["shadow"] == "changed", (
        f"the task's variable must be updated: {variables_of(again)}"
    )


async def test_set_variables_on_the_process_instance(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("set-root", "set-root-work").file())
    instance = await create(gateway, "set-root", {"a": 1})
    await set_variables(gateway, instance, {"a": 2, "b": {"c": [1]}}, local=True)
    view = await engine.has_variable(instance, "b", {"c": [1]})
    assert view.variables["a"] == 2, (
        f"SetVariables on the process instance must update 'a', got {view.variables}"
    )
    await set_variables(gateway, instance, {"c": 3}, local=False)
    await engine.has_variable(instance, "c", 3)
    job = await activate_one(gateway, "set-root-work")
    assert variables_of(job) == {"a": 2, "b": {"c": [1]}, "c": 3}, (
        f"the job must see them, got {variables_of(job)}"
    )


async def test_set_variables_rejections(gateway: GatewayStub, deploy) -> None:
    await rejected(
        gateway.SetVariables(pb.SetVariablesRequest(elementInstanceKey=5555, variables='{"a": 1}')),
        grpc.StatusCode.NOT_FOUND,
        "SetVariables on an unknown element instance",
    )
    await deploy(one_task("set-bad", "set-bad-work").file())
    instance = await create(gateway, "set-bad")
    await rejected(
        gateway.SetVariables(pb.SetVariablesRequest(elementInstanceKey=instance, variables="{oops")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "SetVariables with malformed JSON",
    )


async def test_set_variables_on_an_ended_instance_is_not_found(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("ended", "ended-work").file())
    instance = await create(gateway, "ended")
    await complete(gateway, (await activate_one(gateway, "ended-work")).key)
    await engine.is_completed(instance)
    await rejected(
        gateway.SetVariables(pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"late": 1}')),
        grpc.StatusCode.NOT_FOUND,
        "SetVariables on a completed process instance",
    )


async def test_an_input_mapping_of_a_missing_variable_gives_null(gateway: GatewayStub, deploy) -> None:
    await deploy(one_task("null-input", "null-input-work", inputs=[("=notThere", "copy")]).file())
    await create(gateway, "null-input")
    job = await activate_one(gateway, "null-input-work")
    assert variables_of(job) == {"copy": None}, (
        f"a mapping of a variable that does not exist gives null (Zeebe's FEEL), got {variables_of(job)}"
    )


async def test_a_completion_variable_replaces_the_whole_value(
    engine: EngineHandle, gateway: GatewayStub, deploy
) -> None:
    await deploy(one_task("replace", "replace-work").file())
    instance = await create(gateway, "replace", {"address": {"street": "长安街", "city": "北京"}})
    job = await activate_one(gateway, "replace-work")
    await complete(gateway, job.key, {"address": {"city": "上海"}})
    view = await engine.is_completed(instance)
    assert view.variables == {"address": {"city": "上海"}}, (
        f"a job's variable replaces the variable's whole value (no deep merge), got {view.variables}"
    )
