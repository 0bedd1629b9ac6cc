//! `chartdesk`: the command-line face of the desktop core (sandbox provisioning, scripted
//! look-ups and uploads). Parsing and dispatch; output for people by default, JSON with `--json`.

mod docs;
mod export;
mod fhir;
mod find;
mod patients;
mod sandbox;
mod upload;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "chartdesk",
    version,
    about = "Chartdesk clinical records: command line"
)]
struct Cli {
    /// Configuration profile to use (see config.toml in the config folder).
    #[arg(
        long,
        global = true,
        env = "CHARTDESK_PROFILE",
        default_value = "sandbox"
    )]
    profile: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Local cloud (moto) for development and demos.
    Sandbox {
        #[command(subcommand)]
        command: sandbox::SandboxCommand,
    },
    /// Find a patient by NHS number or MRN and show the banner and category tiles.
    Find(find::FindArgs),
    /// List a patient's documents (all categories, or one), newest first.
    Docs(docs::DocsArgs),
    /// Save documents of a patient as one ZIP with manifest.csv (clinicians and records admins).
    Export(export::ExportArgs),
    /// Add scans to a patient's record (checked by content; preop holds 3 images). Files go
    /// through the encrypted outbox: nothing is lost if the run stops.
    Upload(upload::UploadArgs),
    /// List uploads waiting in this user's outbox.
    Outbox(upload::OutboxArgs),
    /// Send what waits in the outbox; exits non-zero if anything is left.
    Sync(upload::SyncArgs),
    /// FHIR R4 through the records server: bulk export (records admins).
    Fhir {
        #[command(subcommand)]
        command: fhir::FhirCommand,
    },
    /// Patient registration through the records server (records admins).
    Patients {
        #[command(subcommand)]
        command: patients::PatientsCommand,
    },
}

fn main() -> std::process::ExitCode {
    init_logging();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sandbox { command } => sandbox::run(command).await,
            Command::Find(args) => find::run(&cli.profile, args).await,
            Command::Docs(args) => docs::run(&cli.profile, args).await,
            Command::Export(args) => export::run(&cli.profile, args).await,
            Command::Upload(args) => upload::run(&cli.profile, args).await,
            Command::Outbox(args) => upload::outbox(&cli.profile, args).await,
            Command::Sync(args) => upload::sync(&cli.profile, args).await,
            Command::Patients { command } => patients::run(&cli.profile, command).await,
            Command::Fhir { command } => fhir::run(&cli.profile, command).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, `warn` unless `RUST_LOG` says otherwise. Never arguments: see `#[instrument(skip_all)]`.
/// The core's own error events are off by default: the CLI prints every error itself, once.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,chartdesk=off"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The password for a scripted sign-in: `CHARTDESK_PASSWORD`, or a prompt without echo.
// A scripted password is input for this one sign-in, not a setting: config must not hold it.
#[allow(clippy::disallowed_methods)]
pub fn password_from_env_or_prompt() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("CHARTDESK_PASSWORD") {
        return Ok(p);
    }
    Ok(rpassword::prompt_password("Password: ")?)
}

/// Scripted sign-in for commands that act as a user: password from the environment or a
/// prompt; an authenticator code is prompted for; first-login and enrolment need the app.
pub async fn sign_in(services: &chartdesk::Services, user: &str) -> anyhow::Result<()> {
    use chartdesk::SignInResult;
    let password = password_from_env_or_prompt()?;
    match services.sign_in(user, &password).await? {
        SignInResult::SignedIn { .. } => Ok(()),
        SignInResult::NewPasswordRequired { .. } => {
            anyhow::bail!("{}", chartdesk_signin::AuthError::NewPasswordRequired)
        }
        SignInResult::MfaSetupRequired { .. } => anyhow::bail!(
            "This account must first set up an authenticator app: sign in with the Chartdesk app"
        ),
        SignInResult::TotpRequired { .. } => {
            let code = rpassword::prompt_password("Authenticator code: ")?;
            services.session().complete_totp(&code).await?;
            Ok(())
        }
    }
}
