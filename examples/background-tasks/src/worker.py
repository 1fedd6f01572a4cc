"""The worker Lambda's entry point: runs the tutorial's tasks from the task queue.

Importing main registers its tasks (`@task`). write_log writes log.txt in the current folder;
on Lambda that is the code's folder, /var/task, which is read-only: the worker works in the
folder LOG_DIRECTORY names instead (the template sets /tmp, the one Lambda lets a function
write to), and main.py stays as the tutorial wrote it.
"""

import os

from offload import Offload

import main  # noqa: F401  (registers the tasks)

if "LOG_DIRECTORY" in os.environ:
    os.chdir(os.environ["LOG_DIRECTORY"])

handler = Offload.from_environment().lambda_handler()
