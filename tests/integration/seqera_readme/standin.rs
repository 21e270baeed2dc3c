//! The stand-ins for tw and Platform's service-info (`tests/support/tw-standin/`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use crate::support::repo;

/// The access token the stand-ins expect.
pub const TOKEN: &str = "standin-token";

/// The stand-in tw on PATH, with its own state in the test's folder.
pub struct Tw {
    pub dir: PathBuf,
    pub state: PathBuf,
}

impl Tw {
    pub fn new(work: &Path) -> Result<Tw, String> {
        let dir = repo().join("tests/support/tw-standin");
        match dir.join("tw").is_file() {
            true => Ok(Tw {
                dir,
                state: work.join("tw-state.json"),
            }),
            false => Err(format!("no stand-in tw in {}", dir.display())),
        }
    }

    fn load(&self) -> Result<BTreeMap<String, serde_json::Value>, String> {
        match std::fs::read_to_string(&self.state) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Each credential "Platform" holds, by workspace and name, with its External ID.
    pub fn external_ids(&self) -> Result<BTreeMap<(String, String), Option<String>>, String> {
        let mut out = BTreeMap::new();
        for (key, credential) in self.load()? {
            let (workspace, name) = key.split_once(' ').ok_or("stand-in state key")?;
            let id = credential["externalId"].as_str().map(str::to_owned);
            out.insert((workspace.to_owned(), name.to_owned()), id);
        }
        Ok(out)
    }

    /// A credential as instance-credentials mode made it: no mode, no External ID.
    pub fn seed_instance_credential(&self, workspace: &str, name: &str) -> Result<(), String> {
        let mut state = self.load()?;
        state.insert(
            format!("{workspace} {name}"),
            serde_json::json!({"id": "old", "role": null, "mode": null, "externalId": null}),
        );
        let text = serde_json::to_string_pretty(&state).map_err(|e| e.to_string())?;
        std::fs::write(&self.state, text).map_err(|e| e.to_string())
    }
}

/// The service-info stand-in, on 127.0.0.1; stopped by its PID when dropped, and it
/// stops by itself when the test's end of its stdin closes.
pub struct Platform {
    child: Child,
    _stdin: ChildStdin,
    pub url: String,
}

impl Platform {
    pub fn start(allow_instance_credentials: bool) -> Result<Platform, String> {
        let mut child = Command::new("python3")
            .arg(repo().join("tests/support/tw-standin/service_info.py"))
            .arg(allow_instance_credentials.to_string())
            .env("TOWER_ACCESS_TOKEN", TOKEN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the Platform stand-in: {e}"))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = line.strip_prefix("port ").map(str::trim).map(str::to_owned);
        let mut platform = Platform {
            child,
            _stdin: stdin,
            url: String::new(),
        };
        match (read, port) {
            (Ok(_), Some(port)) => {
                platform.url = format!("http://127.0.0.1:{port}");
                Ok(platform)
            }
            _ => Err(format!("the Platform stand-in did not start: {line:?}")),
        }
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
