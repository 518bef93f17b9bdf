//! `fusebox-lattice`: wasmCloud hosts on loopback, and the control calls that deploy the
//! fused artifact onto them.
//!
//! - `fusebox-lattice host --name a` runs one wasmCloud host (the `wasmcloud-host` library,
//!   with its built-in HTTP server) until SIGINT or SIGTERM.
//! - `fusebox-lattice deploy --image REF@sha256:… --on a=127.0.0.1:18201 …` scales the
//!   component, by digest, onto each named host and has each host serve it over HTTP at
//!   its own address, through wasmCloud's control interface over NATS.
//! - `fusebox-lattice hosts` lists the hosts in the lattice and what each one runs.
//!
//! `lattice/run.sh` (`make lattice`) drives all three. Nothing here knows fusebox's
//! components: the artifact is an ordinary `wasi:http/proxy` component to wasmCloud.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail, ensure};
use clap::{Parser, Subcommand};
use nkeys::KeyPair;
use wasmcloud_control_interface::{Client, ClientBuilder, CtlResponse, Link};
use wasmcloud_host::wasmbus::{Features, Host, HostConfig};
use wasmcloud_host::{OciConfig, url::Url};

/// The label each host carries with its `--name`, so `deploy` can find it.
const NAME_LABEL: &str = "fusebox.name";
/// The provider ID of wasmCloud's built-in HTTP server, the same on every host.
const HTTP_SERVER_ID: &str = "http-server";
/// The built-in HTTP server's reference (needs the `builtin-http-server` feature).
const HTTP_SERVER_REF: &str = "wasmcloud+builtin://http-server";

/// Runs wasmCloud hosts on loopback and deploys the fused artifact onto them.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// The NATS server the lattice runs on.
    #[arg(long, global = true, default_value = "nats://127.0.0.1:4222")]
    nats: Url,
    /// The lattice's name.
    #[arg(long, global = true, default_value = "default")]
    lattice: String,
    #[command(subcommand)]
    command: Command,
}

/// What to do.
#[derive(Subcommand)]
enum Command {
    /// Runs one wasmCloud host until SIGINT or SIGTERM. Prints `host NAME ID` once it is up.
    Host {
        /// The host's name, carried as the label `fusebox.name`.
        #[arg(long)]
        name: String,
        /// A registry the host may pull from over plain HTTP (repeatable), such as
        /// 127.0.0.1:5000.
        #[arg(long = "insecure-registry")]
        insecure_registries: Vec<String>,
    },
    /// Scales the component onto each named host, by digest, and serves it over HTTP there.
    Deploy {
        /// The artifact's pinned reference, REGISTRY/REPOSITORY@sha256:HEX.
        #[arg(long)]
        image: String,
        /// The component's ID in the lattice.
        #[arg(long, default_value = "fusebox")]
        component_id: String,
        /// HOST=ADDR: run the component on the host named HOST, and serve it at ADDR
        /// (repeatable).
        #[arg(long = "on", value_parser = parse_placement, required = true)]
        placements: Vec<(String, SocketAddr)>,
        /// KEY=VALUE for the component's `wasi:config/store` (repeatable).
        #[arg(long = "config", value_parser = parse_pair)]
        config: Vec<(String, String)>,
        /// How many instances of the component each host may run at once.
        #[arg(long, default_value_t = 64)]
        max_instances: u32,
        /// How long to wait for the hosts to appear and the component to start.
        #[arg(long, default_value = "60", value_parser = parse_seconds)]
        timeout: Duration,
    },
    /// Lists the lattice's hosts and the components each one runs.
    Hosts,
}

fn parse_placement(text: &str) -> Result<(String, SocketAddr), String> {
    let (host, addr) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not HOST=ADDR"))?;
    let addr = addr
        .parse()
        .map_err(|e| format!("`{addr}` is not an address such as 127.0.0.1:18201: {e}"))?;
    Ok((host.to_owned(), addr))
}

fn parse_pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))
}

fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse()
        .map(Duration::from_secs)
        .map_err(|e| format!("`{text}` is not a number of seconds: {e}"))
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // `make lattice` keeps each host's log in a file: no colour codes.
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Host {
                name,
                insecure_registries,
            } => run_host(&cli.nats, &cli.lattice, name, insecure_registries).await,
            Command::Deploy {
                image,
                component_id,
                placements,
                config,
                max_instances,
                timeout,
            } => {
                let ctl = control_client(&cli.nats, &cli.lattice).await?;
                let deployment = Deployment {
                    image,
                    component_id,
                    placements,
                    config: config.into_iter().collect(),
                    max_instances,
                };
                deployment.apply(&ctl, timeout).await
            }
            Command::Hosts => list_hosts(&control_client(&cli.nats, &cli.lattice).await?).await,
        }
    })
}

/// Runs one host until a signal, then shuts it down cleanly.
async fn run_host(
    nats: &Url,
    lattice: &str,
    name: String,
    insecure_registries: Vec<String>,
) -> anyhow::Result<()> {
    let key = Arc::new(KeyPair::new_server());
    let id = key.public_key();
    let config = HostConfig {
        ctl_nats_url: nats.clone(),
        rpc_nats_url: nats.clone(),
        lattice: lattice.into(),
        host_key: Some(key),
        labels: HashMap::from([(NAME_LABEL.to_owned(), name.clone())]),
        oci_opts: OciConfig {
            allowed_insecure: insecure_registries,
            ..OciConfig::default()
        },
        experimental_features: Features::new().enable_builtin_http_server(),
        ..HostConfig::default()
    };
    let (host, shutdown) = Host::new(config)
        .await
        .with_context(|| format!("starting wasmCloud host `{name}` on {nats}"))?;
    println!("host {name} {id}");

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => eprintln!("host {name}: SIGINT, stopping"),
        _ = sigterm.recv() => eprintln!("host {name}: SIGTERM, stopping"),
        stopped = host.stopped() => {
            stopped.context("waiting for the host")?;
            eprintln!("host {name}: stopped by the lattice");
        }
    }
    shutdown.await.context("shutting the host down")?;
    eprintln!("host {name}: stopped");
    Ok(())
}

async fn control_client(nats: &Url, lattice: &str) -> anyhow::Result<Client> {
    let nc = async_nats::connect(nats.as_str())
        .await
        .with_context(|| format!("connecting to NATS at {nats}"))?;
    Ok(ClientBuilder::new(nc)
        .lattice(lattice)
        .timeout(Duration::from_secs(10))
        .build())
}

/// One component, scaled onto some hosts, each serving it at its own address.
struct Deployment {
    image: String,
    component_id: String,
    placements: Vec<(String, SocketAddr)>,
    config: HashMap<String, String>,
    max_instances: u32,
}

impl Deployment {
    async fn apply(&self, ctl: &Client, timeout: Duration) -> anyhow::Result<()> {
        ensure!(
            self.image.contains("@sha256:"),
            "`{}` is not pinned: deploy by digest (REGISTRY/REPOSITORY@sha256:HEX), which \
             `fusebox push` prints",
            self.image
        );
        let deadline = Instant::now() + timeout;
        let hosts = wait_for_hosts(ctl, self.placements.iter().map(|(h, _)| h), deadline).await?;

        let config_name = format!("{}-config", self.component_id);
        ok(ctl.put_config(&config_name, self.config.clone()).await)
            .with_context(|| format!("putting config `{config_name}`"))?;
        println!(
            "config {config_name}: {} key(s) for wasi:config/store",
            self.config.len()
        );

        let link = Link::builder()
            .source_id(HTTP_SERVER_ID)
            .target(&self.component_id)
            .name("default")
            .wit_namespace("wasi")
            .wit_package("http")
            .interfaces(vec!["incoming-handler".to_owned()])
            .build()
            .map_err(|e| anyhow!("building the link: {e}"))?;
        ok(ctl.put_link(link).await).context("linking the HTTP server to the component")?;
        // The link goes in before any HTTP server starts: a server reads the links its
        // host holds when it starts, and one that starts while the link is still on its
        // way to its host can miss it (seen once in four runs before this order).
        wait_for_link(ctl, &self.component_id, deadline).await?;
        println!(
            "link {HTTP_SERVER_ID} -> {}: wasi:http/incoming-handler",
            self.component_id
        );

        for (name, addr) in &self.placements {
            let host_id = &hosts[name];
            // The built-in HTTP server listens at its `default_address`; each host gets its
            // own, from a config named after the host.
            let http_config = format!("http-{name}");
            ok(ctl
                .put_config(
                    &http_config,
                    HashMap::from([("default_address".to_owned(), addr.to_string())]),
                )
                .await)
            .with_context(|| format!("putting config `{http_config}`"))?;
            start_http_server(ctl, name, host_id).await?;
            ok(ctl
                .scale_component(
                    host_id,
                    &self.image,
                    &self.component_id,
                    self.max_instances,
                    None,
                    vec![config_name.clone()],
                    false,
                )
                .await)
            .with_context(|| format!("scaling `{}` on host `{name}`", self.component_id))?;
            println!(
                "host {name}: scaling {} (max {} instances) from {}, HTTP at {addr}",
                self.component_id, self.max_instances, self.image
            );
        }

        for (name, addr) in &self.placements {
            let image_ref = wait_for_component(ctl, &hosts[name], &self.component_id, deadline)
                .await
                .with_context(|| format!("on host `{name}`"))?;
            ensure!(
                image_ref == self.image,
                "host `{name}` runs `{}` from {image_ref}, not from {}",
                self.component_id,
                self.image
            );
            println!(
                "host {name}: running {} from {image_ref}",
                self.component_id
            );
            self.wait_for_http(ctl, name, &hosts[name], *addr).await?;
        }
        Ok(())
    }

    /// Waits until the host's HTTP server accepts connections at `addr`. If it does not
    /// within 20 s, restarts that host's server once: a restarted server reads the link
    /// from its host again.
    async fn wait_for_http(
        &self,
        ctl: &Client,
        name: &str,
        host_id: &str,
        addr: SocketAddr,
    ) -> anyhow::Result<()> {
        if listening(addr, Duration::from_secs(20)).await {
            println!("host {name}: HTTP server listening at {addr}");
            return Ok(());
        }
        println!("host {name}: no HTTP server at {addr} after 20 s; restarting it");
        ok(ctl.stop_provider(host_id, HTTP_SERVER_ID).await)
            .with_context(|| format!("stopping the HTTP server on host `{name}`"))?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        start_http_server(ctl, name, host_id).await?;
        ensure!(
            listening(addr, Duration::from_secs(30)).await,
            "host `{name}` runs the component but serves no HTTP at {addr}, even after its \
             HTTP server was restarted; its log says why"
        );
        println!("host {name}: HTTP server listening at {addr}");
        Ok(())
    }
}

/// Starts the built-in HTTP server on the host named `name`, with the config
/// `http-NAME` that holds its listen address.
async fn start_http_server(ctl: &Client, name: &str, host_id: &str) -> anyhow::Result<()> {
    ok(ctl
        .start_provider(
            host_id,
            HTTP_SERVER_REF,
            HTTP_SERVER_ID,
            None,
            vec![format!("http-{name}")],
        )
        .await)
    .with_context(|| format!("starting the HTTP server on host `{name}`"))
}

/// Whether something accepts TCP connections at `addr` within `patience`.
async fn listening(addr: SocketAddr, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    while Instant::now() < deadline {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// Waits until the lattice holds a link to `component_id`.
async fn wait_for_link(ctl: &Client, component_id: &str, deadline: Instant) -> anyhow::Result<()> {
    loop {
        let links = ctl
            .get_links()
            .await
            .map_err(|e| anyhow!("{e}"))?
            .into_data()
            .unwrap_or_default();
        if links.iter().any(|l| l.target() == component_id) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("the link to `{component_id}` never showed up in the lattice");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Turns a control-interface answer into a result, keeping the host's message.
fn ok<T>(
    answer: Result<CtlResponse<T>, Box<dyn std::error::Error + Send + Sync>>,
) -> anyhow::Result<()> {
    let answer = answer.map_err(|e| anyhow!("{e}"))?;
    if answer.succeeded() {
        Ok(())
    } else {
        bail!("refused: {}", answer.message())
    }
}

/// Waits until a host carrying each name is in the lattice; returns their IDs by name.
async fn wait_for_hosts<'a>(
    ctl: &Client,
    names: impl Iterator<Item = &'a String> + Clone,
    deadline: Instant,
) -> anyhow::Result<BTreeMap<String, String>> {
    loop {
        let mut found = BTreeMap::new();
        for answer in ctl.get_hosts().await.map_err(|e| anyhow!("{e}"))? {
            if let Some(host) = answer.into_data()
                && let Some(name) = host.labels().get(NAME_LABEL)
            {
                found.insert(name.clone(), host.id().to_owned());
            }
        }
        let missing: Vec<_> = names.clone().filter(|n| !found.contains_key(*n)).collect();
        if missing.is_empty() {
            for (name, id) in &found {
                println!("host {name}: {id}");
            }
            return Ok(found);
        }
        if Instant::now() >= deadline {
            bail!(
                "no host named {missing:?} joined the lattice (found {:?})",
                found.keys().collect::<Vec<_>>()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the host reports the component in its inventory; returns its image reference.
async fn wait_for_component(
    ctl: &Client,
    host_id: &str,
    component_id: &str,
    deadline: Instant,
) -> anyhow::Result<String> {
    loop {
        let inventory = ctl
            .get_host_inventory(host_id)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .into_data()
            .context("the host sent no inventory")?;
        if let Some(component) = inventory
            .components()
            .iter()
            .find(|c| c.id() == component_id)
        {
            return Ok(component.image_ref().to_owned());
        }
        if Instant::now() >= deadline {
            bail!(
                "`{component_id}` did not start in time; the host's log says why (a refused \
                 pull, a missing import, …)"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn list_hosts(ctl: &Client) -> anyhow::Result<()> {
    for answer in ctl.get_hosts().await.map_err(|e| anyhow!("{e}"))? {
        let Some(host) = answer.into_data() else {
            continue;
        };
        let name = host.labels().get(NAME_LABEL).map_or("-", String::as_str);
        let inventory = ctl
            .get_host_inventory(host.id())
            .await
            .map_err(|e| anyhow!("{e}"))?
            .into_data()
            .context("the host sent no inventory")?;
        let components: Vec<_> = inventory
            .components()
            .iter()
            .map(|c| format!("{} ({})", c.id(), c.image_ref()))
            .collect();
        println!("{name} {} components: {}", host.id(), components.join(", "));
    }
    Ok(())
}
