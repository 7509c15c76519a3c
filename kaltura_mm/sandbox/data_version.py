"""An entry's ``version``: the version of its own data file, which only an image's content sets.

From the real server (kaltura/server):

1. ``entry::getVersion`` is the file name of the entry's ``data`` without its extension, 0 while
   it has none (a video's content goes to its flavor assets, ``flavor_assets``: its entry stays 0).
2. ``entry::setData`` names the next file with ``myContentStorage::generateRandomFileName``
   (``alpha/apps/kaltura/lib/myContentStorage.class.php`` ~211-238): with no file yet, a random
   number in ``[MIN_OBFUSCATOR_VALUE, MAX_OBFUSCATOR_VALUE]`` goes through
   ``kDataCenterMgr::incrementVersion`` (``ceil(v / 10) * 10 + 2 - dc``); with one, the old
   number does. Today's source pins both bounds to 100000 ("fixme - while we test generate
   constant obfuscators", the intended 900000 commented out); the sandbox models the harsher,
   documented reading: a start anywhere in ``[100000, 900000]``, so no client can guess it.
3. ``KalturaEntryService::attachFile`` (``api_v3/lib/KalturaEntryService.php`` ~553-562) calls
   ``setData`` twice for an image ("this will increase the data version"): every image upload or
   replacement moves the version two steps (a first upload: ``ceil(r / 10) * 10 + 12``; each
   later one: +20 on data centre 0). A client must compare versions, never count them.

The random start is drawn from the sandbox's seed and the entry's id (not a shared stream), so a
seeded sandbox gives an entry the same start whatever else ran, in any thread.
"""

from __future__ import annotations

import math
import random

DATA_CENTRE = 0  # ids are "0_..." (data centre 0)
OBFUSCATOR_RANGE = (100_000, 900_000)  # myContentStorage::MIN/MAX_OBFUSCATOR_VALUE (intended)
SET_DATA_PER_IMAGE = 2  # attachFile: setData(".ext"), then setData(".jpg")


def increment(version: int) -> int:
    """``kDataCenterMgr::incrementVersion``: one step."""
    return math.ceil(version / 10) * 10 + 2 - DATA_CENTRE


def random_start(seed: int, entry_id: str) -> int:
    """The obfuscator ``generateRandomFileName`` draws for an entry with no data file yet."""
    return random.Random(f"{seed}:{entry_id}").randint(*OBFUSCATOR_RANGE)


def after_image(version: int, seed: int, entry_id: str) -> int:
    """Return the entry's ``version`` once an image's content is attached (rules 2 and 3)."""
    for _ in range(SET_DATA_PER_IMAGE):
        version = increment(version or random_start(seed, entry_id))
    return version
