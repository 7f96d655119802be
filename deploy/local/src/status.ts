export interface ComponentStatus {
  name: string;
  /** Set when the local stack runs this component; absent for an external server. */
  pid?: number | undefined;
  url: string;
  answering: boolean;
  external?: boolean;
  log?: string;
  detail?: string;
}
