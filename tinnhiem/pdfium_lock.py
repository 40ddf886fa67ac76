"""The one lock around PDFium, which opens, renders and joins PDFs here.

PDFium is not thread-safe: no two of its calls may run at the same time in one process, not even
on two documents ("Doing so would crash or corrupt the process", pypdfium2's documentation). The
server answers on several threads, and several of its pages use PDFium: the scan page and the
trial page (a scanner's PDF), documents joined from parts (the ballots), a record checked by the
managing authority, the check before the conference. Four threads doing so at once, without the
lock, refused valid PDFs as damaged in most rounds ("data format error", ``bench/pdfium_threads.py``);
four threads rendering the pages of scanner PDFs ended the process with a segmentation fault in
one 20-second run of three. In the hall, two committee members sending PDFs at the same moment
could have had a good file refused, or stopped the server.

So every use of PDFium holds ``LOCK``, and closes what it opened while holding it: a page or a
document left to the garbage collector is closed by whichever thread drops it last, outside the
lock. Hold it no longer than needed, since the other threads wait for it: a scan's pages are
rendered one at a time, each under the lock, so that a long PDF does not hold up the others.
``tests/scanning/test_long_files.py`` fails if any PDFium call is made without it.
"""

from __future__ import annotations

import threading

LOCK = threading.RLock()
