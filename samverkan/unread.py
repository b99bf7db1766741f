"""The files of an inbox that no dataset reads, each with the reason in Swedish, for the steward notice.

A file a steward put in the inbox and that is silently passed over is a year's data missing from the report
without a word: a name that matches no dataset (``deltagare_2023.csv``), an old ``.xls``, a link, a folder, a
hidden file. ``unread_files`` names them all; the profile's patterns count as matching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from samverkan.aliases import DATASET_ALIASES, fold, suggest
from samverkan.contract import DATASETS
from samverkan.overrides import RunFileError
from samverkan.privacy import shown_file_name
from samverkan.profile import PROFILE_FILE, Profile, files_for, for_inbox, pattern_owners
from samverkan.readers import SUFFIXES

# Folders (a plans/ folder beside the data), hidden files and Excel's lock files are listed but do not alone call
# for a notice: they are rarely data. A file with another name or format usually is.
_QUIET = ("en mapp", "dold fil", "Excels låsfil")


@dataclass(frozen=True)
class UnreadFile:
    name: str
    reason: str

    @property
    def notable(self) -> bool:
        """Likely data the steward meant to send: reason enough for a notice on its own."""
        return not self.reason.startswith(_QUIET)


def _unread_reason(path: Path) -> str | None:
    name = path.name
    if name.startswith("~$"):
        return "Excels låsfil för en arbetsbok som är öppen; stäng arbetsboken, filen behövs inte"
    if name.startswith("."):
        return "dold fil (namnet börjar med punkt) läses inte"
    if path.is_symlink():
        return "en symbolisk länk läses inte; lägg själva filen i inkorgen"
    if path.is_dir():
        return "en mapp; filer i undermappar läses inte"
    if not path.is_file():
        return "ingen vanlig fil (t.ex. en pipe) och läses inte"
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return "det gamla Excel-formatet .xls läses inte; spara filen som Excel-arbetsbok (.xlsx)"
    if suffix not in SUFFIXES:
        shown = f"{suffix!r}" if suffix else "utan filändelse"
        return f"filformatet {shown} läses inte; spara som .csv, .xlsx eller .parquet"
    return None


def unread_files(inbox: Path, profile: Profile | None, explicit: bool = False) -> list[UnreadFile]:
    """Every entry of the inbox no dataset reads, with the reason in Swedish, in name order.

    ``explicit``: the profile was given with ``--profile``, so an inbox ``profile.yaml`` is not used.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        return []
    read = {p.name for name in DATASETS for p in files_for(inbox, name, profile)}
    owners = pattern_owners(inbox, profile)
    found: list[UnreadFile] = []
    for path in sorted(inbox.iterdir(), key=lambda p: p.name):
        name = path.name
        if name in read:
            continue
        if name == PROFILE_FILE:
            if explicit and profile is not None and Path(profile.path).resolve() != path.resolve():
                found.append(UnreadFile(name, "importprofilen i inkorgen används inte: körningen anger en annan"))
            continue
        reason = _unread_reason(path)
        if reason is None and len(owners.get(name, [])) > 1:
            reason = f"profilens mönster för både {' och '.join(owners[name])} matchar namnet; ändra mönstren"
        if reason is None:
            reason = _no_dataset_reason(path)
        found.append(UnreadFile(shown_file_name(name), reason))
    return found


def _no_dataset_reason(path: Path) -> str:
    first = re.split(r"[_\-. ]", path.stem, maxsplit=1)[0]
    names = {fold(n): d for d, aliases in DATASET_ALIASES.items() for n in (d, *aliases)}
    near = suggest(first, list(names))
    rename = shown_file_name(names[fold(near)] + path.name[len(first):]) if near else ""
    hint = f"; menade du {rename}?" if rename else "."
    return (f"namnet matchar inget dataset ({', '.join(DATASETS)}){hint} Döp om filen så att namnet börjar med "
            "datasetets namn, t.ex. participants_2024.csv, eller ange ett filnamnsmönster i en importprofil.")


def unread_for_run(inbox: str | Path, profile_file: str | Path | None = None) -> list[UnreadFile]:
    """``unread_files`` for a run's settings; a profile that cannot be read is itself the one line."""
    try:
        profile = for_inbox(Path(inbox), profile_file)
    except RunFileError as exc:
        name = Path(profile_file or PROFILE_FILE).name
        return [UnreadFile(name, f"importprofilen kan inte användas: {exc.lines[0]}")]
    return unread_files(Path(inbox), profile, explicit=bool(profile_file))
