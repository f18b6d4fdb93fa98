"""Settings (`tui_chat/config.py`): where each comes from and which wins; the config folder is private."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui_chat.config import Secret, config_dir, load_settings


def test_environment_beats_dotenv_files(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ANTHROPIC_API_KEY=from-cwd-file\nANTHROPIC_BASE_URL=http://cwd\n")
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / ".env").write_text("ANTHROPIC_API_KEY=from-user-file\nCLAUDE_TUI_MODEL=claude-haiku-5-5\n")
    settings = load_settings(environ={"ANTHROPIC_API_KEY": "from-env"}, cwd=tmp_path)
    assert settings.api_key == Secret("from-env")
    assert settings.key_source == "environment"
    assert settings.base_url == "http://cwd"
    assert settings.model == "claude-haiku-5-5"
    without_env = load_settings(environ={}, cwd=tmp_path)
    assert without_env.api_key == Secret("from-cwd-file")
    (tmp_path / ".env").unlink()
    assert load_settings(environ={}, cwd=tmp_path).api_key == Secret("from-user-file")


def test_flags_win_and_no_key_is_not_an_error(tmp_path: Path) -> None:
    settings = load_settings(
        environ={"ANTHROPIC_BASE_URL": "http://env"},
        cwd=tmp_path,
        base_url="http://flag",
        model="m",
        max_tokens=7,
    )
    assert (settings.base_url, settings.model, settings.max_tokens) == ("http://flag", "m", 7)
    assert settings.api_key is None


def test_secret_never_prints() -> None:
    secret = Secret("sk-ant-very-secret")
    assert "very-secret" not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert secret.reveal() == "sk-ant-very-secret"


def test_config_folder_preferences_and_log_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 5: the config folder (it holds a .env with the key) is 0700, config.toml and the log 0600, as the
    data folder is — when created, and when an older claude-tui left them 0755/0644."""
    from tui_chat.logs import setup_logging
    from tui_chat.preferences import Preferences

    old_umask = os.umask(0o022)
    try:
        config = tmp_path / "config"
        monkeypatch.setenv("CLAUDE_TUI_CONFIG_DIR", str(config))
        Preferences(theme="nord").save()
        assert stat.S_IMODE(config.stat().st_mode) == 0o700
        assert stat.S_IMODE((config / "config.toml").stat().st_mode) == 0o600
        os.chmod(config, 0o755)
        os.chmod(config / "config.toml", 0o644)
        assert Preferences.load().theme == "nord"
        assert stat.S_IMODE(config.stat().st_mode) == 0o700
        assert stat.S_IMODE((config / "config.toml").stat().st_mode) == 0o600

        logs = tmp_path / "data"
        setup_logging(logs, [])
        assert stat.S_IMODE((logs / "claude-tui.log").stat().st_mode) == 0o600
        os.chmod(logs / "claude-tui.log", 0o644)
        setup_logging(logs, [])
        assert stat.S_IMODE((logs / "claude-tui.log").stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)
        import logging

        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
            handler.close()
