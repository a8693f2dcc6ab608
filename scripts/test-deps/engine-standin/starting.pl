# STAND-IN (tests only): SGLang's warm-up phase. For SECONDS, /health answers 503 "Starting" and
# /v1/models already answers 200 with the served name; then the listener closes so the real
# server can take the port. perl-base only (IO::Socket::INET, IO::Select).
use strict;
use IO::Socket::INET;
use IO::Select;
my ($host, $port, $name, $seconds) = @ARGV;
my $srv = IO::Socket::INET->new(LocalAddr => $host, LocalPort => $port, Listen => 16, ReuseAddr => 1)
  or die "stand-in sglang: cannot listen on $host:$port: $!\n";
my $sel = IO::Select->new($srv);
my $deadline = time + $seconds;
$| = 1;
while (time < $deadline) {
  next unless $sel->can_read(0.1);
  my $c = $srv->accept or next;
  my $req = "";
  while (defined(my $line = <$c>)) { $req .= $line; last if $line eq "\r\n" || $line eq "\n"; }
  my ($path) = $req =~ m{^\S+\s+(\S+)};
  $path //= "";
  my ($status, $body);
  if ($path =~ m{^/v1/models}) { ($status, $body) = ("200 OK", qq({"object":"list","data":[{"id":"$name","object":"model"}]})); }
  elsif ($path =~ m{^/health}) { ($status, $body) = ("503 Service Unavailable", "Starting"); }
  else { ($status, $body) = ("503 Service Unavailable", qq({"error":"the server is starting"})); }
  print $c "HTTP/1.1 $status\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
  close $c;
}
close $srv;
