//! The moto side of the cloud tests: a moto server per deployment, and the Python harness
//! (moto_harness.py) that gets per-account keys, creates stacks and prerequisites, and
//! reads each account's IAM back.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};

use rolegraph::plan::{AccountIam, Plan};

use super::{repo, text};

fn harness_path() -> PathBuf {
    repo().join("tests/support/moto_harness.py")
}

/// A moto server on 127.0.0.1 and a free port, stopped by its PID when dropped (also
/// when the test panics). The server also exits by itself when its stdin closes, so it
/// cannot outlive a test process that is killed.
pub struct Moto {
    child: Child,
    _stdin: ChildStdin,
    pub url: String,
    log: PathBuf,
}

impl Moto {
    pub fn start(log: &Path) -> Result<Moto, String> {
        let log_file = std::fs::File::create(log).map_err(|e| e.to_string())?;
        let mut child = Command::new("python3")
            .arg(harness_path())
            .arg("serve")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .map_err(|e| format!("cannot start moto: {e}"))?;
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        let read = BufReader::new(stdout).read_line(&mut line);
        let port = line.strip_prefix("port ").map(str::trim).map(str::to_owned);
        let mut moto = Moto {
            child,
            _stdin: stdin,
            url: String::new(),
            log: log.to_path_buf(),
        };
        match (read, port) {
            (Ok(_), Some(port)) => {
                moto.url = format!("http://127.0.0.1:{port}");
                Ok(moto)
            }
            _ => Err(format!(
                "moto did not start:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            )),
        }
    }

    /// The server's failed requests and tracebacks, to append to a failure: the log lives
    /// in a temporary folder that is gone once the test ends.
    pub fn errors(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut out = Vec::new();
        let mut in_traceback = false;
        for line in log.lines() {
            // werkzeug's access log: `127.0.0.1 - - [date] "POST / HTTP/1.1" 500 -`
            let access = line.contains(" HTTP/1.1\" ");
            in_traceback = line.starts_with("Traceback") || (in_traceback && !access);
            if in_traceback || (access && line.contains("\" 5")) {
                out.push(line);
            }
        }
        let tail = &out[out.len().saturating_sub(60)..];
        if tail.is_empty() {
            String::new()
        } else {
            format!("\n--- moto errors ---\n{}", tail.join("\n"))
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to the server's PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn harness(args: &[&str]) -> Result<String, String> {
    let out = Command::new("python3")
        .arg(harness_path())
        .args(args)
        .output()
        .map_err(|e| format!("cannot run the moto harness: {e}"))?;
    if out.status.success() {
        Ok(text(&out.stdout))
    } else {
        Err(format!(
            "moto_harness.py {} failed:\n{}",
            args.first().unwrap_or(&""),
            text(&out.stderr)
        ))
    }
}

/// `ID:PARTITION:REGION` of every account in the plan, in key order.
pub fn account_specs(plan: &Plan) -> Vec<String> {
    plan.accounts
        .values()
        .map(|a| format!("{}:{}:{}", a.id, a.partition, a.region))
        .collect()
}

/// Customer-managed policies that roles attach but the model does not create, by account
/// id. They are the deployer's prerequisites, so the harness creates them first.
fn prerequisites(plan: &Plan) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for account in plan.accounts.values() {
        let created: Vec<&String> = account
            .iam
            .managed_policies
            .values()
            .map(|p| &p.arn)
            .collect();
        let attached = account
            .iam
            .roles
            .values()
            .flat_map(|r| &r.attached_policies);
        for arn in attached {
            let owner = arn.split(':').nth(4).unwrap_or("");
            let list = out.entry(account.id.clone()).or_default();
            if owner == account.id && !created.contains(&arn) && !list.contains(arn) {
                list.push(arn.clone());
            }
        }
    }
    out.retain(|_, arns| !arns.is_empty());
    out
}

pub fn create_prerequisites(moto: &Moto, plan: &Plan) -> Result<(), String> {
    for (id, arns) in prerequisites(plan) {
        let account = plan
            .accounts
            .values()
            .find(|a| a.id == id)
            .expect("account of the plan");
        let spec = format!("{}:{}:{}", account.id, account.partition, account.region);
        let mut args = vec!["prereq", moto.url.as_str(), spec.as_str()];
        args.extend(arns.iter().map(String::as_str));
        harness(&args)?;
    }
    Ok(())
}

/// Every account's IAM as moto reports it, normalized like the plan, without the
/// prerequisites the harness created.
pub fn dump(moto: &Moto, plan: &Plan) -> Result<BTreeMap<String, AccountIam>, String> {
    let specs = account_specs(plan);
    let mut args = vec!["dump", moto.url.as_str()];
    args.extend(specs.iter().map(String::as_str));
    let json = harness(&args)?;
    let mut state: BTreeMap<String, AccountIam> =
        serde_json::from_str(&json).map_err(|e| format!("unreadable IAM dump: {e}\n{json}"))?;
    for (id, arns) in prerequisites(plan) {
        if let Some(iam) = state.get_mut(&id) {
            iam.managed_policies.retain(|_, p| !arns.contains(&p.arn));
        }
    }
    Ok(state
        .into_iter()
        .map(|(id, iam)| (id, iam.normalized()))
        .collect())
}

/// Creates stacks in order through the harness, which also checks what moto does not:
/// parameter rules, and that every resource and output of each template exists.
/// Each stack is `{account: "ID:PARTITION:REGION", stack, template, parameters}`.
pub fn deploy_stacks(moto: &Moto, work: &Path, stacks: &[serde_json::Value]) -> Result<(), String> {
    let stacks_path = work.join("stacks.json");
    let mut f = std::fs::File::create(&stacks_path).map_err(|e| e.to_string())?;
    f.write_all(serde_json::to_string_pretty(stacks).unwrap().as_bytes())
        .map_err(|e| e.to_string())?;
    harness(&["deploy", &moto.url, stacks_path.to_str().unwrap()]).map(drop)
}
