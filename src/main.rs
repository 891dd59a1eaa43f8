//! The `framescore` command line: one module per subcommand under `cmd/`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Score news articles for framing (hegemony, cooperation, security) and loaded terms.
///
/// Exit status: 0 when every document was scored, 1 when some could not be (their rows in
/// articles.csv say why), 2 for usage or set-up errors (nothing was scored; also when another
/// run is writing into the same --out), 130 when interrupted (earlier results stay in place).
#[derive(Parser)]
#[command(name = "framescore", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Score(cmd::score::Args),
    Report(cmd::report::Args),
    Merge(cmd::merge::Args),
    Train(cmd::train::Args),
    Eval(cmd::eval::Args),
    Tune(cmd::tune::Args),
    Distill(cmd::distill::Args),
    TrainTagger(cmd::train_tagger::Args),
    TrainStance(cmd::train_stance::Args),
    TrainMentions(cmd::train_mentions::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(a) => cmd::score::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Train(a) => cmd::train::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Tune(a) => cmd::tune::run(a),
        Command::Distill(a) => cmd::distill::run(a),
        Command::TrainTagger(a) => cmd::train_tagger::run(a),
        Command::TrainStance(a) => cmd::train_stance::run(a),
        Command::TrainMentions(a) => cmd::train_mentions::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("framescore: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
