"""Operations as code. `alarms.py` keeps CloudWatch alarms on every Lambda function of an
account and proves that they reach their SNS topic; it needs boto3 and the standard library
only, so the one file also runs by itself (`python3 alarms.py --help`, e.g. in CloudShell).

Nothing is imported here: `import oraculum.ops` stays free of boto3.
"""
