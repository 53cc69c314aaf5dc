//! `local-gateway [--stack FILE] [--port N] [--template FILE]`: serves the API on 127.0.0.1.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

#[tokio::main]
async fn main() {
    edge::logging::init();
    let mut stack = PathBuf::from(".local/stack/stack.json");
    let mut template = PathBuf::from("template.yaml");
    let mut port: u16 = 3000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| exit(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--stack" => stack = value().into(),
            "--template" => template = value().into(),
            "--port" => {
                port = value()
                    .parse()
                    .unwrap_or_else(|_| exit("--port needs a number"))
            }
            _ => exit(&format!("unknown argument {arg}")),
        }
    }
    let info = local_gateway::stack::StackInfo::load(&stack).unwrap_or_else(|e| {
        exit(&format!(
            "cannot read {}: {e} (is the local stack running?)",
            stack.display()
        ))
    });
    // Loopback only: this gateway has no TLS and trusts the local stand-ins.
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    match local_gateway::start(&template, &info, addr).await {
        Ok((bound, serve)) => {
            eprintln!("local gateway listening on http://{bound}");
            tokio::select! {
                _ = serve => {}
                _ = shutdown_signal() => eprintln!("local gateway stopped"),
            }
        }
        Err(err) => exit(&err.to_string()),
    }
}

fn exit(message: &str) -> ! {
    eprintln!("local-gateway: {message}");
    std::process::exit(2)
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
