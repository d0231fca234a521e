import json


class JobError(Exception):
    pass


def handler(event, context):
    print("job " + json.dumps(event, sort_keys=True))
    if event.get("fail"):
        raise JobError("cannot process job %s" % event.get("id"))
    return {"processed": event.get("id"), "requestId": context.aws_request_id}
