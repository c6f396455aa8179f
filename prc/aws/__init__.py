"""Live AWS audit: collect a read-only snapshot of an account, then judge it with the ordinary engine.

    session.py   the one place every AWS call goes through (read-only guard, bounded retries)
    collect.py   what is read, per account and per region, into a Snapshot
    snapshot.py  the collected data as plain JSON, saved and loaded with --save-snapshot / --from-snapshot
    targets.py   the typed targets checks judge (AwsRole, AwsInstance, ...)
    audit.py     snapshot -> targets -> engine -> suppressions -> scores -> Report

Nothing here is imported by `prc scan`; boto3 is imported only when an audit collects live.
"""
