//! A rendering with bounds: a template from someone else's commit may loop a hundred
//! thousand times inside a loop of as many, and tera itself sets no bound. The output is
//! cut at `RENDER_LIMIT` bytes, and the rendering runs on a thread of its own that the
//! caller stops waiting for after its time: the run then ends with an error, which ends
//! the process and the thread with it.

use std::sync::Arc;
use std::time::Duration;

/// How much one template may write: a README many times larger than the largest model's.
pub const RENDER_LIMIT: usize = 10 * 1024 * 1024;
/// How long one template may take to write it.
pub const RENDER_TIME: Duration = Duration::from_secs(10);

pub enum Failure {
    /// Past a bound: why, in words.
    Stopped(String),
    Tera(tera::Error),
}

/// The bytes template `name` renders to with `context`, within `RENDER_LIMIT` and `time`.
pub fn render(
    tera: &Arc<tera::Tera>,
    name: &str,
    context: tera::Context,
    time: Duration,
) -> Result<Vec<u8>, Failure> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let (tera, owned_name) = (Arc::clone(tera), name.to_owned());
    let spawned = std::thread::Builder::new()
        .name("template".to_owned())
        .spawn(move || {
            let mut output = Capped::default();
            let rendered = tera.render_to(&owned_name, &context, &mut output);
            let _ = sender.send(match (rendered, output.passed) {
                (_, true) => Err(Failure::Stopped(format!(
                    "its output passed {}",
                    crate::input::mib(RENDER_LIMIT as u64)
                ))),
                (Ok(()), false) => Ok(output.bytes),
                (Err(err), false) => Err(Failure::Tera(err)),
            });
        });
    if let Err(err) = spawned {
        return Err(Failure::Stopped(format!("it could not be started: {err}")));
    }
    match receiver.recv_timeout(time) {
        Ok(result) => result,
        Err(_) => Err(Failure::Stopped(format!(
            "it ran for more than {} s",
            time.as_secs_f64()
        ))),
    }
}

/// The output of one rendering, which fails once it passes `RENDER_LIMIT` bytes.
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    passed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > RENDER_LIMIT {
            self.passed = true;
            return Err(std::io::Error::other("the output is over its limit"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_with(body: &str) -> Arc<tera::Tera> {
        let mut tera = tera::Tera::new();
        tera.add_raw_template("t", body).unwrap();
        Arc::new(tera)
    }

    #[test]
    fn output_past_the_limit_and_a_loop_past_the_time_are_stopped() {
        let big = tera_with(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
        );
        let Err(Failure::Stopped(why)) = render(&big, "t", tera::Context::new(), RENDER_TIME)
        else {
            panic!("not stopped");
        };
        assert_eq!(why, "its output passed 10 MiB");
        let silent = tera_with(
            "{% for i in range(end=100000) %}{% for j in range(end=100000) %}{% endfor %}{% endfor %}",
        );
        let short = Duration::from_millis(50);
        let Err(Failure::Stopped(why)) = render(&silent, "t", tera::Context::new(), short) else {
            panic!("not stopped");
        };
        assert_eq!(why, "it ran for more than 0.05 s");
        let Ok(fine) = render(&tera_with("a{{ 1 + 1 }}"), "t", tera::Context::new(), short) else {
            panic!("failed");
        };
        assert_eq!(fine, b"a2");
    }
}
