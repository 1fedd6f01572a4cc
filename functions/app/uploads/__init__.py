"""Uploaded files: accepted by the API (multipart, or a presigned POST straight to S3), then
checked and processed by the worker when S3 announces the object on the task queue.

One path for both ways in: the API never queues a task for a file; the bucket's ObjectCreated
notification is the only trigger, so a file is processed once however it arrived.
"""
