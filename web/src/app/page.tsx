import { SearchView } from "@/components/SearchView";

export default function Home() {
  return <SearchView />;
}
