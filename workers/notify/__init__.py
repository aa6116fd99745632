"""Notifications: email, text messages and the console's inbox, sent once per job.

Order of work, and why (`Notifier.notify`):

1. Compose every message of the job (recipients and channels from `config/notifications.toml`,
   wording from the templates).
2. In one ledger transaction, with the job's receipt: post the inbox messages and write the emails
   and text messages to the outbox (`ledger_notifications`). A redelivered job finds the receipt
   and writes nothing; its inbox posts therefore exist exactly once.
3. Deliver the job's outbox rows not yet delivered, marking each delivered as soon as its server
   accepted it. A failure fails the job with nothing more marked; the retry, or a redelivery after
   a lost completion, sends only what is still undelivered.

Recording before sending means a queued message is never forgotten, and a message is marked
delivered only once a server took it. Sending first and recording after would send again on every
redelivery whose first delivery died before its commit, and a lost completion is the common case.

What remains: a worker that dies after a server accepted a message but before it is marked
delivered sends that one message again when the job is redelivered (at least once, not exactly
once: neither SMTP nor the SMS gateway lets us ask whether it already has a message). Two
deliveries of one job running at the same moment (the first still sending when its lease runs out)
may likewise both send a row. Both windows are one message wide.
"""
