import Link from "next/link";

export default function NotFound() {
  return (
    <main className="auth-page">
      <div className="state-card">
        <h1>Page not found</h1>
        <p>The page you asked for does not exist.</p>
        <Link className="btn btn-primary" href="/">
          Back to your batches
        </Link>
      </div>
    </main>
  );
}
