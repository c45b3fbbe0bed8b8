"""``--push-to-hub REPO``: upload a built release folder to a Hugging Face dataset repository.

Uses ``huggingface_hub.HfApi`` (token from the usual ``HF_TOKEN`` / ``huggingface-cli login``). ``endpoint``
points it at another hub (a private hub, or the local stand-in the tests use).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["push_to_hub"]


def push_to_hub(
    path: Path, repo: str, endpoint: str | None = None, token: str | None = None, private: bool = True
) -> str:
    """Create the dataset repo if needed and upload every file of the release in one commit; returns the
    commit URL."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(repo, repo_type="dataset", private=private, exist_ok=True)
    info = api.upload_folder(
        folder_path=str(path),
        repo_id=repo,
        repo_type="dataset",
        commit_message=f"release {path.name}",
    )
    return str(getattr(info, "commit_url", info))
