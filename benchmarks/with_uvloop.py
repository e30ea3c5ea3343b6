"""``python -m benchmarks.with_uvloop MODULE ARGS…``: run ``python -m MODULE ARGS…`` on uvloop's event loop.

For B1's uvloop figures (``--uvloop``): uvloop is an optional extra, tried on both sides of the comparison.
"""

import asyncio
import runpy
import sys

import uvloop

asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
module, sys.argv = sys.argv[1], sys.argv[1:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
