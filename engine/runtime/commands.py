"""The commands the engine accepts. Each runs inside one `Context` and either changes the state
(returning its answer) or raises a `Rejection` that leaves the state untouched.

Rejection messages follow Zeebe's, so a client sees the same reasons on either engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from engine.model import ModelError, parse_bpmn, parse_form
from engine.model.dmn import DecisionRequirements, parse_dmn
from engine.model.elements import ElementType, Process
from engine.runtime import decision_calls, instances, jobs, signals, timers, user_tasks
from engine.runtime.clock import LAST_INSTANT_MS
from engine.runtime.context import Context
from engine.runtime.decisions import DecisionEvaluationFailure, DecisionResult
from engine.runtime.entities import (
    DecisionDefinition,
    DecisionRequirementsDefinition,
    ElementInstance,
    ElementState,
    FormDefinition,
    Incident,
    Job,
    JobState,
    Kind,
    Message,
    MessageSubscription,
    ProcessDefinition,
    Timer,
    UserTask,
)
from engine.runtime.errors import already_exists, invalid_argument, invalid_state, not_found
from engine.runtime.expressions import EvaluationFailure, evaluate_string
from engine.runtime.incidents import ErrorType, clear_incident, raise_incident
from engine.runtime.records import ValueType
from engine.runtime.subscriptions import close_start_subscriptions, message_value, open_start_subscription
from engine.runtime.variables import propagate, set_local, visible_variables

# ------------------------------------------------------------------------------------------- deploy


@dataclass(frozen=True, slots=True)
class Deployment:
    key: int
    processes: tuple[ProcessDefinition, ...]
    forms: tuple[FormDefinition, ...]
    decision_requirements: tuple[DecisionRequirementsDefinition, ...] = ()
    decisions: tuple[DecisionDefinition, ...] = ()


def _checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _latest(ctx: Context, kind: Kind, index: str, resource_id: str) -> Any:
    versions = ctx.layer.find(kind, index, resource_id)
    return max(versions, key=lambda d: d.version) if versions else None


def _next_version(latest: Any) -> int:
    return latest.version + 1 if latest is not None else 1


def deploy(ctx: Context, resources: Sequence[tuple[str, bytes]]) -> Deployment:
    """Deploy all resources or none: every file is parsed and validated before anything is stored."""
    if not resources:
        raise invalid_argument("Expected to deploy at least one resource, but none given")
    problems: list[str] = []
    parsed_processes: list[tuple[str, bytes, Process]] = []
    parsed_forms: list[tuple[str, bytes, str]] = []
    parsed_decisions: list[tuple[str, bytes, DecisionRequirements]] = []
    for name, data in resources:
        try:
            if name.endswith((".bpmn", ".xml")):
                parsed_processes.extend((name, data, model) for model in parse_bpmn(name, data))
            elif name.endswith(".form"):
                parsed_forms.append((name, data, parse_form(name, data).id))
            elif name.endswith(".dmn"):
                parsed_decisions.append((name, data, parse_dmn(name, data)))
            else:
                problems.append(f"'{name}': unknown resource type (expected a .bpmn, .dmn or .form file)")
        except ModelError as error:
            problems.append(str(error))
    seen: dict[str, str] = {}
    for name, _, model in parsed_processes:
        if model.id in seen:
            problems.append(
                f"'{name}': duplicated process id '{model.id}' (also in '{seen[model.id]}') in one deployment"
            )
        seen[model.id] = name
    if problems:
        raise invalid_argument(
            "Expected to deploy new resources, but encountered the following errors:\n" + "\n".join(problems)
        )
    deployment_key = ctx.new_key()
    processes = tuple(_deploy_process(ctx, deployment_key, *parsed) for parsed in parsed_processes)
    forms = tuple(_deploy_form(ctx, deployment_key, *parsed) for parsed in parsed_forms)
    drgs: list[DecisionRequirementsDefinition] = []
    decisions: list[DecisionDefinition] = []
    for parsed in parsed_decisions:
        drg, drg_decisions = _deploy_decisions(ctx, deployment_key, *parsed)
        drgs.append(drg)
        decisions.extend(drg_decisions)
    ctx.record(
        ValueType.DEPLOYMENT,
        "CREATED",
        deployment_key,
        {
            "resources": [name for name, _ in resources],
            "processes": [[p.bpmn_process_id, p.version, p.key] for p in processes],
            "forms": [[f.form_id, f.version, f.key] for f in forms],
            "decisions": [[d.decision_id, d.version, d.key] for d in decisions],
        },
    )
    return Deployment(deployment_key, processes, forms, tuple(drgs), tuple(decisions))


def _deploy_decisions(
    ctx: Context, deployment_key: int, name: str, data: bytes, drg: DecisionRequirements
) -> tuple[DecisionRequirementsDefinition, list[DecisionDefinition]]:
    checksum = _checksum(data)
    latest: DecisionRequirementsDefinition | None = _latest(ctx, Kind.DECISION_REQUIREMENTS, "drg_id", drg.id)
    if latest is not None and latest.checksum == checksum:
        kept = [d for d in ctx.layer.all(Kind.DECISION) if d.drg_key == latest.key]
        return latest, sorted(kept, key=lambda d: d.key)
    definition = DecisionRequirementsDefinition(
        key=ctx.new_key(),
        drg_id=drg.id,
        name=drg.name or drg.id,
        version=_next_version(latest),
        resource_name=name,
        checksum=checksum,
        deployment_key=deployment_key,
        resource=data.decode("utf-8"),
        deployed_at=ctx.now,
    )
    ctx.layer.put(Kind.DECISION_REQUIREMENTS, definition.key, definition)
    ctx.models.add_decisions(definition.key, drg)
    decisions = []
    for decision in drg.decisions:
        previous: DecisionDefinition | None = _latest(ctx, Kind.DECISION, "decision_id", decision.id)
        deployed = DecisionDefinition(
            key=ctx.new_key(),
            decision_id=decision.id,
            name=decision.name or decision.id,
            version=_next_version(previous),
            drg_key=definition.key,
            drg_id=drg.id,
            deployment_key=deployment_key,
        )
        ctx.layer.put(Kind.DECISION, deployed.key, deployed)
        decisions.append(deployed)
    ctx.record(
        ValueType.DEPLOYMENT,
        "DECISION_REQUIREMENTS_CREATED",
        definition.key,
        {"decisionRequirementsId": drg.id, "version": definition.version, "resourceName": name},
    )
    return definition, decisions


@dataclass(frozen=True, slots=True)
class DecisionEvaluation:
    definition: DecisionDefinition
    result: DecisionResult | None
    failure: DecisionEvaluationFailure | None


def evaluate_decision(
    ctx: Context, decision_key: int, decision_id: str, variables: dict[str, Any]
) -> DecisionEvaluation:
    """The EvaluateDecision RPC: a failed evaluation is an answer, not a rejection (Zeebe's rule)."""
    if decision_key > 0:
        definition: DecisionDefinition | None = ctx.layer.get(Kind.DECISION, decision_key)
        if definition is None:
            raise not_found(
                f"Expected to evaluate decision with key '{decision_key}', but no such decision was found"
            )
    elif decision_id:
        definition = decision_calls.latest_decision(ctx, decision_id)
        if definition is None:
            raise not_found(f"Expected to evaluate decision '{decision_id}', but no such decision was found")
    else:
        raise invalid_argument("Expected either a decision id or a decision key, but none given")
    try:
        return DecisionEvaluation(definition, decision_calls.evaluate(ctx, definition, variables, None), None)
    except DecisionEvaluationFailure as failure:
        return DecisionEvaluation(definition, None, failure)


def _deploy_process(
    ctx: Context, deployment_key: int, name: str, data: bytes, model: Process
) -> ProcessDefinition:
    # A file may hold several processes: the checksum covers the file and the process id.
    checksum = _checksum(data + model.id.encode())
    latest: ProcessDefinition | None = _latest(ctx, Kind.PROCESS, "bpmn_process_id", model.id)
    if latest is not None and latest.checksum == checksum:
        return latest
    definition = ProcessDefinition(
        key=ctx.new_key(),
        bpmn_process_id=model.id,
        version=_next_version(latest),
        resource_name=name,
        checksum=checksum,
        deployment_key=deployment_key,
        resource=data.decode("utf-8"),
        deployed_at=ctx.now,
    )
    ctx.layer.put(Kind.PROCESS, definition.key, definition)
    ctx.models.add(definition.key, model)
    if latest is not None:
        timers.cancel_start_timers(ctx, latest.key)
        signals.cancel_start_events(ctx, latest)
        close_start_subscriptions(ctx, latest)
    _schedule_start_timers(ctx, definition, model)
    for element in model.elements.values():
        if element.type is ElementType.START_EVENT and element.scope_id == model.id and element.message:
            open_start_subscription(ctx, element, evaluate_string(element.message.name, {}), definition)
        if (
            element.type is ElementType.START_EVENT
            and element.scope_id == model.id
            and "signalName" in element.properties
        ):
            name = instances.signal_name(element, {})
            signals.subscribe(ctx, element, name, definition.key, definition.bpmn_process_id)
    ctx.record(
        ValueType.PROCESS,
        "CREATED",
        definition.key,
        {
            "bpmnProcessId": definition.bpmn_process_id,
            "version": definition.version,
            "resourceName": name,
            "checksum": checksum,
            "deploymentKey": deployment_key,
        },
    )
    return definition


def _schedule_start_timers(ctx: Context, definition: ProcessDefinition, model: Process) -> None:
    """The latest version of a process owns its timer start events (Zeebe's rule)."""
    for element in model.elements.values():
        if (
            element.type is ElementType.START_EVENT
            and element.scope_id == model.id
            and element.timer is not None
        ):
            try:
                plan = timers.plan(element, {}, ctx.now)
            except EvaluationFailure as failure:
                where = f"{definition.resource_name}: element '{element.id}'"
                raise invalid_argument(f"{where}: the timer cannot be scheduled: {failure}") from None
            timers.schedule_timer(
                ctx,
                element,
                plan,
                process_definition_key=definition.key,
                bpmn_process_id=definition.bpmn_process_id,
            )


def _deploy_form(ctx: Context, deployment_key: int, name: str, data: bytes, form_id: str) -> FormDefinition:
    checksum = _checksum(data)
    latest: FormDefinition | None = _latest(ctx, Kind.FORM, "form_id", form_id)
    if latest is not None and latest.checksum == checksum:
        return latest
    form = FormDefinition(
        key=ctx.new_key(),
        form_id=form_id,
        version=_next_version(latest),
        resource_name=name,
        checksum=checksum,
        deployment_key=deployment_key,
        resource=data.decode("utf-8"),
        deployed_at=ctx.now,
    )
    ctx.layer.put(Kind.FORM, form.key, form)
    ctx.record(
        ValueType.FORM,
        "CREATED",
        form.key,
        {"formId": form_id, "version": form.version, "resourceName": name, "deploymentKey": deployment_key},
    )
    return form


# ---------------------------------------------------------------------------------- process instances


def find_definition(
    ctx: Context, bpmn_process_id: str, version: int, definition_key: int
) -> ProcessDefinition:
    if definition_key > 0:
        definition: ProcessDefinition | None = ctx.layer.get(Kind.PROCESS, definition_key)
        if definition is None:
            raise not_found(
                f"Expected to find process definition with key '{definition_key}', but none found"
            )
        return definition
    if not bpmn_process_id:
        raise invalid_argument(
            "Expected either a process definition key or a BPMN process id, but none given"
        )
    versions: list[ProcessDefinition] = ctx.layer.find(Kind.PROCESS, "bpmn_process_id", bpmn_process_id)
    if version > 0:
        for candidate in versions:
            if candidate.version == version:
                return candidate
        raise not_found(
            f"Expected to find process definition with process ID '{bpmn_process_id}' and version "
            f"'{version}', but none found"
        )
    if not versions:
        raise not_found(
            f"Expected to find process definition with process ID '{bpmn_process_id}', but none found"
        )
    return max(versions, key=lambda d: d.version)


def create_process_instance(
    ctx: Context, bpmn_process_id: str, version: int, definition_key: int, variables: dict[str, Any]
) -> ElementInstance:
    definition = find_definition(ctx, bpmn_process_id, version, definition_key)
    if ctx.models.get(definition.key).start_event is None:
        raise invalid_state(
            f"Expected to create instance of process with none start event, but there is no such event "
            f"in process '{definition.bpmn_process_id}'"
        )
    return instances.create_process_instance(ctx, definition, variables)


def cancel_process_instance(ctx: Context, process_instance_key: int) -> None:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, process_instance_key)
    if instance is None or instance.flow_scope_key is not None:
        raise not_found(
            f"Expected to cancel a process instance with key '{process_instance_key}', "
            "but no such process was found"
        )
    if instance.caller_key is not None:
        raise invalid_state(
            f"Expected to cancel a process instance with key '{process_instance_key}', but it is created "
            "by a parent process instance. Cancel the root process instance instead."
        )
    instances.terminate(ctx, instance)


# ----------------------------------------------------------------------------------------------- jobs


@dataclass(frozen=True, slots=True)
class ActivatedJob:
    job: Job
    variables: dict[str, Any]


def activate_jobs(
    ctx: Context, job_type: str, worker: str, timeout: int, max_jobs: int, fetch: Sequence[str]
) -> list[ActivatedJob]:
    activated = []
    for job in ctx.layer.find(Kind.JOB, "activatable", job_type)[:max_jobs]:
        job = replace(job, state=JobState.ACTIVATED, worker=worker, deadline=_deadline(ctx, timeout))
        jobs.store(ctx, job, "ACTIVATED")
        ctx.effects.due_at.add(job.deadline)
        variables = visible_variables(ctx, job.element_instance_key)
        if fetch:
            variables = {name: variables[name] for name in fetch if name in variables}
        activated.append(ActivatedJob(job, variables))
    return activated


def _deadline(ctx: Context, timeout: int) -> int:
    """When a job activated now for `timeout` ms times out; refused beyond the last instant a date
    can name, which would otherwise fail the write of the whole batch."""
    if ctx.now + timeout > LAST_INSTANT_MS:
        raise invalid_argument(
            f"Expected a timeout of at most {LAST_INSTANT_MS - ctx.now} ms, but was {timeout}"
        )
    return ctx.now + timeout


def _job(ctx: Context, key: int, action: str, states: frozenset[JobState]) -> Job:
    job: Job | None = ctx.layer.get(Kind.JOB, key)
    if job is None:
        raise not_found(f"Expected to {action} job with key '{key}', but no such job was found")
    if job.state not in states:
        raise invalid_state(f"Expected to {action} job with key '{key}', but it is in state '{job.state}'")
    return job


_OPEN_JOB = frozenset({JobState.ACTIVATABLE, JobState.ACTIVATED})


def complete_job(ctx: Context, key: int, variables: dict[str, Any]) -> None:
    job = _job(ctx, key, "complete", _OPEN_JOB)
    ctx.layer.delete(Kind.JOB, key)
    ctx.record(
        ValueType.JOB,
        "COMPLETED",
        key,
        {**jobs.job_value(job), "variables": variables},
        job.process_instance_key,
    )
    instance: ElementInstance = ctx.layer.get(Kind.ELEMENT, job.element_instance_key)
    ctx.layer.put(Kind.ELEMENT, instance.key, replace(instance, job_key=None))
    instances.complete_step(ctx, instance.key, variables)


def fail_job(
    ctx: Context, key: int, retries: int, error_message: str, backoff: int, variables: dict[str, Any]
) -> None:
    job = _job(ctx, key, "fail", _OPEN_JOB)
    set_local(ctx, job.element_instance_key, variables)
    job = replace(job, retries=retries, error_message=error_message, worker="", deadline=-1)
    if retries > 0 and backoff <= 0:
        jobs.store(ctx, replace(job, state=JobState.ACTIVATABLE), "FAILED")
        return
    if retries > 0:
        jobs.store(ctx, replace(job, state=JobState.FAILED, retry_at=ctx.now + backoff), "FAILED")
        ctx.effects.due_at.add(ctx.now + backoff)
        return
    jobs.store(ctx, replace(job, state=JobState.FAILED, retry_at=-1), "FAILED")
    instance: ElementInstance = ctx.layer.get(Kind.ELEMENT, job.element_instance_key)
    raise_incident(
        ctx, instance, ErrorType.JOB_NO_RETRIES, error_message or "No more retries left.", job_key=job.key
    )


def throw_error(ctx: Context, key: int, code: str, error_message: str, variables: dict[str, Any]) -> None:
    job = _job(ctx, key, "throw an error for", _OPEN_JOB)
    instance: ElementInstance = ctx.layer.get(Kind.ELEMENT, job.element_instance_key)
    if instances.throw_error(ctx, instance, code, error_message, variables):
        ctx.layer.delete(Kind.JOB, key)
        ctx.record(ValueType.JOB, "ERROR_THROWN", key, jobs.job_value(job), job.process_instance_key)
        return
    job = replace(job, state=JobState.ERROR_THROWN, error_code=code, error_message=error_message, worker="")
    jobs.store(ctx, job, "ERROR_THROWN")
    raise_incident(
        ctx,
        instance,
        ErrorType.UNHANDLED_ERROR_EVENT,
        instances.uncaught_error_message(code, error_message),
        job_key=job.key,
    )


def update_job_retries(ctx: Context, key: int, retries: int) -> None:
    job: Job | None = ctx.layer.get(Kind.JOB, key)
    if job is None:
        raise not_found(f"Expected to update retries for job with key '{key}', but no such job was found")
    if retries < 1:
        raise invalid_argument(
            f"Expected to update retries for job with key '{key}' with a positive amount of retries, "
            f"but the amount given was '{retries}'"
        )
    jobs.store(ctx, replace(job, retries=retries), "RETRIES_UPDATED")


def update_job_timeout(ctx: Context, key: int, timeout: int) -> None:
    job = _job(ctx, key, "update the timeout of", frozenset({JobState.ACTIVATED}))
    job = replace(job, deadline=_deadline(ctx, timeout))
    jobs.store(ctx, job, "TIMEOUT_UPDATED")
    ctx.effects.due_at.add(job.deadline)


# ----------------------------------------------------------------------------------------- user tasks


def _user_task(ctx: Context, key: int, action: str) -> UserTask:
    task: UserTask | None = ctx.layer.get(Kind.USER_TASK, key)
    if task is None:
        raise not_found(f"Expected to {action} user task with key '{key}', but no such user task was found")
    return task


def assign_user_task(ctx: Context, key: int, assignee: str, allow_override: bool = True) -> UserTask:
    task = _user_task(ctx, key, "assign")
    if not assignee:
        raise invalid_argument("Expected an assignee, but the assignee is empty")
    if task.assignee and task.assignee != assignee and not allow_override:
        raise invalid_state(
            f"Expected to assign user task with key '{key}', but it is already assigned to '{task.assignee}'"
        )
    return user_tasks.store(ctx, replace(task, assignee=assignee), "ASSIGNED")


def unassign_user_task(ctx: Context, key: int) -> UserTask:
    task = _user_task(ctx, key, "unassign")
    return user_tasks.store(ctx, replace(task, assignee=None), "ASSIGNED")


def complete_user_task(ctx: Context, key: int, variables: dict[str, Any]) -> None:
    task = _user_task(ctx, key, "complete")
    user_tasks.remove(ctx, task, "COMPLETED")
    instances.complete_step(ctx, task.element_instance_key, variables)


# ------------------------------------------------------------------------------ variables, incidents


def set_variables(ctx: Context, element_instance_key: int, variables: dict[str, Any], local: bool) -> int:
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, element_instance_key)
    if instance is None:
        raise not_found(
            f"Expected to update variables for element with key '{element_instance_key}', "
            "but no such element was found"
        )
    key = ctx.new_key()
    ctx.record(
        ValueType.VARIABLE_DOCUMENT,
        "UPDATED",
        key,
        {"scopeKey": element_instance_key, "local": local, "variables": variables},
        instance.process_instance_key,
    )
    if local:
        set_local(ctx, element_instance_key, variables)
    else:
        propagate(ctx, element_instance_key, variables)
    return key


def resolve_incident(ctx: Context, key: int) -> None:
    incident: Incident | None = ctx.layer.get(Kind.INCIDENT, key)
    if incident is None:
        raise not_found(f"Expected to resolve incident with key '{key}', but no such incident was found")
    if incident.job_key is not None:
        job: Job | None = ctx.layer.get(Kind.JOB, incident.job_key)
        if job is not None and job.retries <= 0:
            raise invalid_state(
                f"Expected to resolve incident with key '{key}', but job with key '{job.key}' has no retries "
                "left; update the job's retries first"
            )
        clear_incident(ctx, incident)
        if job is not None:
            jobs.make_activatable(ctx, replace(job, error_code="", error_message=""), "RECURRED")
        return
    clear_incident(ctx, incident)
    instance: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, incident.element_instance_key)
    if instance is None:
        return
    if instance.state is ElementState.ACTIVATING:
        instances.activate(ctx, instance)
    elif instance.state is ElementState.COMPLETING:
        instances.complete(ctx, instance)


# ------------------------------------------------------------------------------------------- messages


def publish_message(
    ctx: Context,
    name: str,
    correlation_key: str,
    time_to_live: int,
    message_id: str,
    variables: dict[str, Any],
) -> int:
    if not name:
        raise invalid_argument("Expected to publish a message with a name, but the name is empty")
    if message_id:
        for existing in ctx.layer.find(Kind.MESSAGE, "message_id", (name, correlation_key, message_id)):
            if existing.expires_at > ctx.now:
                raise already_exists(
                    f"Expected to publish a new message with id '{message_id}', but a message with that id "
                    "was already published"
                )
    message = Message(
        key=ctx.new_key(),
        name=name,
        correlation_key=correlation_key,
        message_id=message_id,
        variables=variables,
        published_at=ctx.now,
        expires_at=ctx.now + max(time_to_live, 0),
    )
    ctx.record(ValueType.MESSAGE, "PUBLISHED", message.key, message_value(message))
    subscriptions: list[MessageSubscription] = ctx.layer.find(
        Kind.SUBSCRIPTION, "correlation", (name, correlation_key)
    )
    for subscription in sorted(subscriptions, key=lambda s: s.key):
        if subscription.bpmn_process_id in message.correlated_processes:
            continue
        # An interrupting correlation may have closed this subscription meanwhile.
        if ctx.layer.get(Kind.SUBSCRIPTION, subscription.key) is None:
            continue
        message = instances.correlate(ctx, subscription.key, message)
    starts: list[MessageSubscription] = ctx.layer.find(Kind.SUBSCRIPTION, "start_message", name)
    for subscription in sorted(starts, key=lambda s: s.key):
        if instances.may_start(ctx, subscription, message):
            message = instances.start_by_message(ctx, subscription, message)
    if time_to_live > 0:
        ctx.layer.put(Kind.MESSAGE, message.key, message)
        ctx.effects.due_at.add(message.expires_at)
    return message.key


def broadcast_signal(ctx: Context, name: str, variables: dict[str, Any]) -> int:
    if not name:
        raise invalid_argument("Expected to broadcast a signal with a name, but the name is empty")
    return instances.broadcast(ctx, name, variables)


# ------------------------------------------------------------------------------------------- due work


def run_due_work(ctx: Context) -> None:
    """Fire due timers, time out activated jobs, end retry back-offs and expire messages."""
    for timer in timers.due(ctx):
        _fire(ctx, timer)
    for job in ctx.layer.find(Kind.JOB, "activated", True):
        if job.deadline <= ctx.now:
            jobs.make_activatable(ctx, job, "TIMED_OUT")
    for job in ctx.layer.find(Kind.JOB, "backoff", True):
        if job.retry_at <= ctx.now:
            jobs.make_activatable(ctx, job, "RECURRED_AFTER_BACKOFF")
    for message in ctx.layer.find(Kind.MESSAGE, "all", True):
        if message.expires_at <= ctx.now:
            ctx.layer.delete(Kind.MESSAGE, message.key)
            ctx.record(ValueType.MESSAGE, "EXPIRED", message.key, message_value(message))


def _fire(ctx: Context, timer: Timer) -> None:
    timers.remove(ctx, timer, "TRIGGERED")
    if timer.element_instance_key < 0:
        definition: ProcessDefinition = ctx.layer.get(Kind.PROCESS, timer.process_definition_key)
        instances.create_process_instance(ctx, definition, {}, start_at=timer.element_id)
        waiting_on = True
    else:
        waiting: ElementInstance | None = ctx.layer.get(Kind.ELEMENT, timer.element_instance_key)
        if waiting is None or waiting.state is not ElementState.ACTIVATED:
            return
        instances.trigger(
            ctx, waiting, ctx.models.get(waiting.process_definition_key).element(timer.element_id), {}
        )
        current = ctx.layer.get(Kind.ELEMENT, waiting.key)
        waiting_on = (
            current is not None and current.state is ElementState.ACTIVATED and not timer.interrupting
        )
    following = timers.next_occurrence(ctx, timer)
    if following is not None and waiting_on:
        timers.reschedule(ctx, following)


def next_due(ctx: Context) -> int | None:
    """The earliest time at which `run_due_work` has something to do."""
    times = [timer.due_at for timer in ctx.layer.find(Kind.TIMER, "all", True)]
    times += [job.deadline for job in ctx.layer.find(Kind.JOB, "activated", True)]
    times += [job.retry_at for job in ctx.layer.find(Kind.JOB, "backoff", True)]
    times += [message.expires_at for message in ctx.layer.find(Kind.MESSAGE, "all", True)]
    return min(times) if times else None
